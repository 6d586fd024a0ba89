"""A lemma exception table applied after the trainable lemmatizer.

The trained edit-tree lemmatizer generalises well but misses irregular and domain
forms ("overdosene" -> "overdose", "rusmidlene" -> "rusmiddel"). This component holds
a table ``{coarse POS: {lower-case form: [lemmas]}}`` (by default built from Norsk
Ordbank, Bokmål 2005, via spacy-lookups-data's ``nb_lemma_exc``, CC BY 4.0, plus
fritekst's own domain entries) and the set of known lemmas per POS. For a token whose
form is in the table for its POS, the predicted lemma is replaced only when it is not
a known lemma at all (the lemmatizer produced a non-word such as "fiskeflåt" or
"metod"); a predicted lemma that is a real word is trusted, since the table cannot
tell "saken" (sak) from "saken" (sake) in context.

The table arrives through ``initialize(table=...)`` or ``set_table`` and is saved
with ``to_disk`` as gzipped JSON, like spaCy's own lookup-based components.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any, Callable, Iterable

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path

POS_KEYS = {"NOUN": "noun", "VERB": "verb", "AUX": "verb", "ADJ": "adj", "ADV": "adv"}
TABLE_FILE = "table.json.gz"
#: The component's name in fritekst's pipelines.
NAME = "fritekst_lemma_exceptions"


def word_table(nlp: Language) -> "LemmaExceptions | None":
    """The pipeline's Norsk Ordbank table (this component), or None when it has none."""
    return nlp.get_pipe(NAME) if NAME in nlp.pipe_names else None


@Language.factory(
    NAME,
    default_config={"overwrite": True},
    assigns=["token.lemma"],
    requires=["token.pos"],
)
def make_lemma_exceptions(nlp: Language, name: str, overwrite: bool) -> "LemmaExceptions":
    return LemmaExceptions(name=name, overwrite=overwrite)


class LemmaExceptions:
    """Correct predicted lemmas from an exception table keyed by coarse POS."""

    def __init__(self, name: str = NAME, overwrite: bool = True) -> None:
        self.name = name
        self.overwrite = overwrite
        self.table: dict[str, dict[str, list[str]]] = {}
        self.known: dict[str, frozenset[str]] = {}

    def set_table(self, table: dict[str, dict[str, list[str]]],
                  known: dict[str, Iterable[str]] | None = None) -> None:
        """Set the exceptions ``{pos: {form: [lemmas]}}`` and the known lemmas per POS."""
        self.table = {pos: dict(forms) for pos, forms in table.items()}
        known = known or {}
        self.known = {pos: frozenset(known.get(pos, ())) | {l for ls in forms.values() for l in ls}
                      for pos, forms in self.table.items()}

    def knows(self, word: str) -> bool:
        """Whether ``word`` (lower-cased) is a form or lemma of the table, i.e. a common word."""
        low = word.lower()
        return any(low in forms or low in self.known.get(pos, ()) for pos, forms in self.table.items())

    def classes(self, word: str) -> set[str]:
        """The table's word classes ("noun", "verb", "adj", ...) of ``word`` (lower-cased) as a form or a lemma."""
        low = word.lower()
        return {pos for pos, forms in self.table.items() if low in forms or low in self.known.get(pos, ())}

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *,
                   nlp: Language | None = None, table: dict[str, dict[str, list[str]]] | None = None) -> None:
        if table is not None:
            self.set_table(table)

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            pos = POS_KEYS.get(token.pos_, "")
            forms = self.table.get(pos)
            if not forms:
                continue
            lemmas = forms.get(token.lower_)
            if not lemmas:
                continue
            predicted = token.lemma_
            if not predicted or (self.overwrite and predicted not in lemmas
                                 and predicted.lower() not in self.known[pos]):
                token.lemma_ = lemmas[0]
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        data = json.dumps(self._data(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        (path / TABLE_FILE).write_bytes(gzip.compress(data, mtime=0))  # byte-reproducible

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "LemmaExceptions":
        path = ensure_path(path)
        with gzip.open(path / TABLE_FILE, "rt", encoding="utf-8") as f:
            data = json.load(f)
        self.set_table(data["forms"], data["known"])
        return self

    def _data(self) -> dict[str, Any]:
        return {"forms": self.table, "known": {pos: sorted(k) for pos, k in self.known.items()}}

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return gzip.compress(json.dumps(self._data(), ensure_ascii=False).encode("utf-8"), mtime=0)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "LemmaExceptions":
        loaded = json.loads(gzip.decompress(data).decode("utf-8"))
        self.set_table(loaded["forms"], loaded["known"])
        return self
