"""Give a surname the person type wherever the document uses it.

A text names a person in full once ("Monica Bertelsen", "Trond Giske") and then by the
surname alone ("Bertelsen ringer ...", "Giskes forslag"). The statistical NER sees each
mention on its own, and a lone surname is where it fails most: at the start of a sentence
it is often missed ("Bertelsen har ..."), and a surname that is also a place, a product
or a company becomes one ("Giske" -> GPE, "Borten" -> PROD). On the UD dev split these
two errors are the largest group of person-name errors.

This component runs after ``ner`` (and after ``fritekst_place_names``, so that a
municipality name used as a surname is put right). It collects the last word of every
person entity of two or more words and, for each token elsewhere in the document that is
that word or its genitive (+ "s"):

- a single-token entity of another type is relabelled ``PER``;
- a token outside any entity becomes a ``PER`` entity.

Entities longer than the token are left alone, and no entity is removed. Before that, a
person entity is extended to the left over capitalised PROPN tokens outside any entity
that do not open a sentence or line: the NER sometimes leaves out the first of three name
words ("Torgrim [Haugland Brekke]"). The document is the unit: for fritekst a survey
comment, in which "Kari Hansen ... Hansen" refers to one person. Redaction runs it too (a
lone surname is still a name to hide).
"""

from __future__ import annotations

from typing import Callable

from spacy.language import Language
from spacy.tokens import Doc, Span

from fritekst.nlp import sentence_initial, with_genitives

#: The entity label that is propagated.
PERSON = "PER"


def surname_forms(doc: Doc) -> frozenset[str]:
    """The last words of the document's multi-word person entities, and their genitives."""
    surnames = {
        ent[-1].text for ent in doc.ents
        if ent.label_ == PERSON and len(ent) >= 2 and ent[-1].is_alpha and ent[-1].is_title
    }
    return with_genitives(surnames)


@Language.factory("fritekst_person_names", assigns=["doc.ents"], requires=["doc.ents"])
def make_person_names(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    return person_names


def person_names(doc: Doc) -> Doc:
    """Label every lone mention of a surname that the document uses in a full person name."""
    _extend_to_given_names(doc)
    forms = surname_forms(doc)
    if not forms:
        return doc
    ents: list[Span] = []
    changed = False
    for ent in doc.ents:
        if ent.label_ != PERSON and len(ent) == 1 and ent.text in forms:
            ent = Span(doc, ent.start, ent.end, label=PERSON)
            changed = True
        ents.append(ent)
    taken = {i for ent in doc.ents for i in range(ent.start, ent.end)}
    for tok in doc:
        if tok.i not in taken and tok.text in forms:
            ents.append(Span(doc, tok.i, tok.i + 1, label=PERSON))
            changed = True
    if changed:
        doc.ents = sorted(ents, key=lambda span: span.start)
    return doc


def _extend_to_given_names(doc: Doc) -> None:
    """Let a person entity start at the capitalised name words right before it.

    The NER sometimes leaves out the first of three name words ("Torgrim [Haugland
    Brekke]"). A token directly before a person entity that is outside every entity, tagged
    PROPN, written with a capital initial and not the first word of a sentence or line
    (where capitals say nothing: :func:`fritekst.nlp.sentence_initial`, redaction's test
    too) is taken into the entity. The senter runs later in the pipeline, so a sentence
    start is read off the token before.
    """
    ents = list(doc.ents)
    changed = False
    for k, ent in enumerate(ents):
        if ent.label_ != PERSON:
            continue
        start = ent.start
        floor = ents[k - 1].end if k else 0
        while start > floor:
            tok = doc[start - 1]
            if not (tok.pos_ == "PROPN" and tok.is_title and tok.is_alpha and not sentence_initial(tok)):
                break
            start -= 1
        if start != ent.start:
            ents[k] = Span(doc, start, ent.end, label=PERSON)
            changed = True
    if changed:
        doc.ents = ents
