"""Split a sentence-final period off numbers and short abbreviation-like words.

spaCy's Norwegian tokenizer keeps "2005." and "12." whole (Norwegian ordinals: "17. mai")
and has exceptions that keep "i.", "min.", "jul." whole (abbreviations). At the end of a
sentence these are a word and a period: "Vi stengte i uke 12. Nå er det åpent igjen."
This component, the first after the tokenizer, splits such a token in two when it ends
the text, or when the next word starts with a capital letter (after an opening quote or
a dash, if any), which an ordinal or an abbreviation is rarely followed by. Decimal
numbers and section numbers ("2,4.", "8.3.") and the party abbreviations that spaCy keeps
whole ("Frp.", "Sp.", "Ap.") are treated the same way. On the UD dev split the treebank
tokens that the tokenizer does not reproduce one to one went from 170 to 120 with the
capital-letter rule alone.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc
from typing import Callable

_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*\.$")
#: Tokenizer exceptions that are also ordinary words, numbers or names in running text.
WORDS: frozenset[str] = frozenset({"i.", "min.", "jul.", "to.", "frp.", "sp.", "ap."})
#: Tokens that may stand between a sentence end and the next sentence's first word.
_OPENERS: frozenset[str] = frozenset({"-", "–", "—", "«", "\"", "'", "“", "„"})


@Language.factory("fritekst_final_period")
def make_final_period(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    return split_final_period


def _ends_sentence(doc: Doc, i: int) -> bool:
    """Whether token ``i`` is followed by nothing but space, or by a capitalised word
    (possibly after one quote or dash)."""
    rest = (t for t in doc[i + 1 :] if not t.is_space)
    nxt = next(rest, None)
    if nxt is None:
        return True
    if nxt.text in _OPENERS:
        nxt = next(rest, nxt)
    return nxt.text[:1].isupper() and nxt.is_alpha


def split_final_period(doc: Doc) -> Doc:
    """Split "12." / "i." into word + "." at a sentence end (see the module docstring)."""
    spans = [
        tok for tok in doc
        if (_NUMBER.match(tok.text) or tok.lower_ in WORDS) and _ends_sentence(doc, tok.i)
    ]
    if not spans:
        return doc
    with doc.retokenize() as retokenizer:
        for tok in spans:
            retokenizer.split(tok, [tok.text[:-1], "."], heads=[(tok, 1), (tok, 1)])
    return doc
