"""Training-data augmentation for the layout of survey comments.

The treebank is edited prose: every sentence ends in punctuation and no token is
whitespace. Survey comments are written in paragraphs and lists: a line break between
sentences, often no period before it ("Mangel på hasj\\nØkt bruk av piller"). A model that
never saw a line break reads the word after one as a capitalised word in mid-sentence: on
the UD dev split with a line break after every sentence, a pipeline trained without this
augmentation tagged "Det", "Brukerne", "Overdoser" PROPN, kept their capitalised form as
lemma and found entities in them (see training/README.md).

``fritekst.comment_layout.v1`` puts a line break ("\\n", or "\\n\\n" one time in five) at
a share of the sentence boundaries of a share of the training documents, sometimes
dropping the sentence's final period, and then lets spaCy's own
``spacy.combined_augmenter.v1`` insert whitespace tokens at random positions (off in
training/config.cfg: at ``whitespace_level`` 0.1 they cost 3 points of dev NER F). Whitespace
tokens are annotated as spaCy's augmenter does: POS SPACE, their own text as lemma, no
entity, attached to the preceding token and part of the preceding sentence.

Used by training/config.cfg; ``spacy train`` needs ``--code training/augment.py``.
"""

from __future__ import annotations

import random
from functools import partial
from typing import Callable, Iterator, List, Optional

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.training.augment import combined_augmenter

#: Line break texts at a sentence boundary; a blank line one time in five.
BREAKS = ["\n", "\n", "\n", "\n", "\n\n"]


@spacy.registry.augmenters("fritekst.comment_layout.v1")
def create_comment_layout_augmenter(
    level: float,
    break_level: float,
    drop_period: float,
    whitespace_level: float,
    whitespace_per_token: float,
    whitespace_variants: Optional[List[str]],
) -> Callable[[Language, Example], Iterator[Example]]:
    """level: share of documents that get line breaks between sentences; break_level:
    share of those documents' sentence boundaries that get one; drop_period: share of
    those line breaks whose sentence loses its final "."; whitespace_*: spaCy's
    ``combined_augmenter`` arguments for whitespace tokens at random positions."""
    return partial(
        comment_layout_augmenter,
        level=level,
        break_level=break_level,
        drop_period=drop_period,
        whitespace_level=whitespace_level,
        whitespace_per_token=whitespace_per_token,
        whitespace_variants=whitespace_variants,
    )


def comment_layout_augmenter(
    nlp: Language,
    example: Example,
    *,
    level: float,
    break_level: float,
    drop_period: float,
    whitespace_level: float,
    whitespace_per_token: float,
    whitespace_variants: Optional[List[str]],
) -> Iterator[Example]:
    if random.random() < level:
        example = with_sentence_breaks(nlp, example, break_level, drop_period)
    yield from combined_augmenter(
        nlp,
        example,
        whitespace_level=whitespace_level,
        whitespace_per_token=whitespace_per_token,
        whitespace_variants=whitespace_variants,
    )


def with_sentence_breaks(nlp: Language, example: Example, break_level: float,
                         drop_period: float) -> Example:
    """A copy of ``example`` with line breaks at some of its sentence boundaries."""
    ref = example.reference
    if not ref.has_annotation("SENT_START"):
        return example
    breaks: dict[int, str] = {}  # index of a sentence's last kept token -> line break
    dropped: set[int] = set()
    sents = list(ref.sents)
    for sent in sents[:-1]:
        if random.random() >= break_level:
            continue
        last = sent[-1]
        if (last.text == "." and len(sent) > 1 and random.random() < drop_period
                and not any(True for _ in last.children)):
            dropped.add(last.i)
            last = sent[-2]
        breaks[last.i] = random.choice(BREAKS)
    if not breaks:
        return example

    reference = with_breaks(ref, breaks, dropped)
    return Example(nlp.make_doc(reference.text), reference)


def with_breaks(doc: Doc, breaks: dict[int, str], dropped: set[int] = frozenset()) -> Doc:
    """A copy of the annotated ``doc`` without the tokens in ``dropped`` and with a
    whitespace token after each token index in ``breaks`` (its text the value). The new
    tokens get POS SPACE, their own text as lemma, no entity, and are attached to the
    preceding token in its sentence; heads and labels are kept when ``doc`` has them all
    (then no dropped token may head another).
    ``training/evaluate.py`` builds its line-break test documents with it too."""
    new_index: dict[int, int] = {}  # old token index -> index in the new document
    shift = 0
    for tok in doc:
        if tok.i in dropped:
            shift -= 1
            continue
        new_index[tok.i] = tok.i + shift
        shift += tok.i in breaks
    words, spaces, pos, morphs, lemmas, starts, ents, heads, deps = ([] for _ in range(9))
    for tok in doc:
        if tok.i in dropped:
            continue
        words.append(tok.text)
        spaces.append(bool(tok.whitespace_))
        pos.append(tok.pos_ or None)
        morphs.append(str(tok.morph))
        lemmas.append(tok.lemma_)
        starts.append(bool(tok.is_sent_start))
        ents.append(f"{tok.ent_iob_}-{tok.ent_type_}" if tok.ent_iob_ in ("B", "I")
                    else "O" if tok.ent_iob_ == "O" else None)
        heads.append(new_index[tok.head.i])
        deps.append(tok.dep_)
        if tok.i in breaks:
            spaces[-1] = False
            words.append(breaks[tok.i])
            spaces.append(False)
            pos.append("SPACE")
            morphs.append("")
            lemmas.append(breaks[tok.i])
            starts.append(False)
            ents.append("O")
            heads.append(len(words) - 2)
            deps.append("dep")
    annotation = dict(words=words, spaces=spaces, pos=pos, morphs=morphs, lemmas=lemmas,
                      sent_starts=starts, ents=ents)
    if doc.has_annotation("DEP", require_complete=True):
        annotation.update(heads=heads, deps=deps)
    return Doc(doc.vocab, **annotation)
