"""Re-type entities that are known place names as GPE.

The statistical NER finds entity boundaries well (~88 % on the UD splits) but often gives
a place the wrong type: a municipality or a country it has not seen in training becomes
a person ("Hemsedal", "Kroatia" -> PER). Which type a name has is world knowledge that a
treebank of ~300k words cannot teach. For fritekst this matters: survey comments name
municipalities, and redaction treats persons and places differently.

This component runs after ``ner`` and relabels an entity as ``GPE`` when its whole text,
or the text without a genitive -s ("Kroatias"), is a place name in its list; DRV
("norsk"), EVT and GPE entities are left alone. A listed place that the NER missed
altogether, and that overlaps no entity, is added as ``GPE`` (spaCy's ``PhraseMatcher``
finds them). It never removes an entity or moves an entity's boundaries.

Redaction (``fritekst.redact``) does not run this component: many Norwegian surnames
are place names ("Hole", "Moss"), and a lone surname tagged PER must stay a person there.

The list is set when the pipeline is packaged (``training/package.py``: Norwegian
municipality and county names that are not also common words or first names, plus
countries, continents and large cities written in Bokmål) and saved with the pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import ensure_path

from fritekst.nlp import with_genitives

PLACES_FILE = "places.json"
#: Predicted types that a listed place name overrides.
RETYPED = frozenset({"PER", "ORG", "LOC", "PROD"})


@Language.factory("fritekst_place_names", assigns=["doc.ents"], requires=["doc.ents"])
def make_place_names(nlp: Language, name: str) -> "PlaceNames":
    return PlaceNames(nlp, name=name)


class PlaceNames:
    """Type listed place names as GPE: relabel entities, add the ones the NER missed."""

    def __init__(self, nlp: Language, name: str = "fritekst_place_names") -> None:
        self.nlp = nlp
        self.name = name
        self.set_places(())

    def set_places(self, places: Iterable[str]) -> None:
        self.places = frozenset(p.strip() for p in places if p.strip())
        # the listed names and their genitives ("Kroatias"): the one definition of a match
        self._forms = with_genitives(self.places)
        self.matcher = PhraseMatcher(self.nlp.vocab)
        self.matcher.add("GPE", list(self.nlp.tokenizer.pipe(sorted(self._forms))))

    def is_place(self, text: str) -> bool:
        """Whether ``text`` (or ``text`` without a genitive -s) is a listed place."""
        return text in self._forms

    def __call__(self, doc: Doc) -> Doc:
        if not self.places:
            return doc
        matches = {(m.start, m.end): m for m in spacy.util.filter_spans(self.matcher(doc, as_spans=True))}
        ents = [matches.pop((e.start, e.end)) if e.label_ in RETYPED and (e.start, e.end) in matches else e
                for e in doc.ents]
        taken = {i for e in doc.ents for i in range(e.start, e.end)}
        added = [m for m in matches.values() if taken.isdisjoint(range(m.start, m.end))]
        if added or ents != list(doc.ents):
            doc.ents = sorted(ents + added, key=lambda e: e.start)
        return doc

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps(sorted(self.places), ensure_ascii=False, indent=0).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "PlaceNames":
        self.set_places(json.loads(data.decode("utf-8")))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / PLACES_FILE).write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "PlaceNames":
        return self.from_bytes((ensure_path(path) / PLACES_FILE).read_bytes())
