"""spaCy side of fritekst: the Norwegian base pipeline and fritekst's own components."""

from __future__ import annotations

from typing import Iterable

from spacy.tokens import Token

#: Characters that end a sentence or open a line item, quote or bracket when a token ends in
#: them; a capital after them says nothing about a name.
BREAK_CHARS: frozenset[str] = frozenset(".!?:;…•*-–—«»\"'()[]")


def with_genitives(names: Iterable[str]) -> frozenset[str]:
    """``names`` and their genitives: + "s", except after an s ("Kroatias", "Giskes"; "Hans")."""
    names = frozenset(names)
    return names | {n + "s" for n in names if not n.endswith("s")}


def sentence_initial(tok: Token) -> bool:
    """Whether a token starts a sentence, a line or a bullet.

    Reads the sentence starts when the Doc has them, and otherwise the token before: none,
    a line break (spaces are skipped), or a token ending in one of ``BREAK_CHARS``.
    """
    if tok.i == 0:
        return True
    doc = tok.doc
    if doc.has_annotation("SENT_START") and tok.is_sent_start:
        return True
    prev = doc[tok.i - 1]
    if prev.is_space:
        return "\n" in prev.text or sentence_initial(prev)
    return prev.text[-1] in BREAK_CHARS
