"""Experiment (2026-11-23, session 7; not shipped): dictionary knowledge as a model input.

Results and the decision are in ``training/README.md`` ("Tried 2026-11-23, session 7").
Run it with ``--code training/experiments/lexicon_input.py`` (spaCy's ``train``, and
``training/package.py`` / ``training/evaluate.py`` for the trained model) and the config
``training/experiments/lexicon_input.cfg``.

The morphologizer learns UPOS from a 300,000-word treebank, and its commonest errors on
open-class words are ones a dictionary settles: a form Norsk Ordbank knows only as a
noun tagged VERB, a sentence-initial common noun tagged PROPN. The shipped
``fritekst_pos_lexicon`` corrects some of them after the fact; this experiment lets a
model see the dictionary while it decides.

- The component ``fritekst_lexicon_features`` (first in the pipeline) stores, for every
  token, a 0/1 vector in ``doc.user_data[KEY]``: which Ordbank word classes the form has
  (noun, verb, adjective, adverb), whether Ordbank does not know it at all, and whether
  it is a listed Norwegian first name. The Ordbank table is the one of the pipeline's
  ``fritekst_lemma_exceptions`` component, found by name as ``fritekst_pos_lexicon``
  does; for training, the callback ``fritekst.ordbank_table.v1`` gives that component
  its table right after initialisation (``[initialize] after_init``).
- The architecture ``fritekst.LexiconTok2Vec.v1`` wraps a component's
  ``Tok2VecListener``: it concatenates the shared token vectors with these features and
  mixes them in one Maxout layer of the same width. Unlike session 5's lexeme flags,
  which went into the shared tok2vec, it can feed one component only (the config feeds
  the morphologizer; the NER variants are described in the README).

Docs without the features get zeros. Training runs the component as an annotating
component, so the training documents carry the features too.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Iterable, List

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Maxout, Model, chain, concatenate, with_array
from thinc.types import Floats2d

#: Where the component leaves the features on a Doc.
KEY = "fritekst.lexicon_features"
#: The feature columns, in order.
COLUMNS = ("noun", "verb", "adj", "adv", "unknown", "first_name")
N_FEATURES = len(COLUMNS)


@Language.factory(
    "fritekst_lexicon_features",
    default_config={"lexicon": "fritekst_lemma_exceptions"},
)
def make_lexicon_features(nlp: Language, name: str, lexicon: str) -> "LexiconFeatures":
    return LexiconFeatures(nlp, name=name, lexicon=lexicon)


class LexiconFeatures:
    """Store each token's dictionary features in ``doc.user_data[KEY]`` (see the module docstring)."""

    def __init__(self, nlp: Language, name: str = "fritekst_lexicon_features",
                 lexicon: str = "fritekst_lemma_exceptions") -> None:
        self.nlp = nlp
        self.name = name
        self.lexicon = lexicon
        self._cache: dict[str, np.ndarray] = {}
        self._first_names: frozenset[str] | None = None

    def _table(self):  # noqa: ANN202 - the LemmaExceptions component or None
        return self.nlp.get_pipe(self.lexicon) if self.lexicon in self.nlp.component_names else None

    def first_names(self) -> frozenset[str]:
        if self._first_names is None:
            from fritekst.redact import load_lexicon

            self._first_names = frozenset(load_lexicon().first_names)
        return self._first_names

    def features(self, word: str, table) -> np.ndarray:  # noqa: ANN001
        """The feature row of one word form (cached per form)."""
        row = self._cache.get(word)
        if row is None:
            classes = table.classes(word) if table is not None else set()
            row = np.array([c in classes for c in COLUMNS[:4]]
                           + [table is not None and not classes,
                              word[:1].isupper() and word.capitalize() in self.first_names()],
                           dtype="float32")
            if len(self._cache) < 200_000:
                self._cache[word] = row
        return row

    def __call__(self, doc: Doc) -> Doc:
        table = self._table()
        rows = [self.features(token.text, table) for token in doc]
        doc.user_data[KEY] = np.vstack(rows) if rows else np.zeros((0, N_FEATURES), dtype="float32")
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def initialize(self, get_examples: Callable | None = None, *, nlp: Language | None = None) -> None:
        self._cache.clear()

    # Nothing to save: the table lives in the lemma-exception component.
    def to_disk(self, path, *, exclude: Iterable[str] = ()) -> None:  # noqa: ANN001
        return None

    def from_disk(self, path, *, exclude: Iterable[str] = ()) -> "LexiconFeatures":  # noqa: ANN001
        self._cache.clear()
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return b""

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "LexiconFeatures":
        self._cache.clear()
        return self


def _features_forward(model: Model, docs: List[Doc], is_train: bool):  # noqa: ANN202
    out = []
    for doc in docs:
        feats = doc.user_data.get(KEY)
        if feats is None or len(feats) != len(doc):
            feats = np.zeros((len(doc), N_FEATURES), dtype="float32")
        out.append(model.ops.asarray2f(feats))

    def backprop(d_out: List[Floats2d]) -> List[Doc]:
        return []  # the features are fixed inputs: nothing to learn below them

    return out, backprop


def lexicon_features_layer() -> Model[List[Doc], List[Floats2d]]:
    """A parameter-free layer: each Doc's feature matrix from ``doc.user_data[KEY]``."""
    return Model("fritekst_lexicon_features", _features_forward, dims={"nO": N_FEATURES})


@registry.architectures("fritekst.LexiconTok2Vec.v1")
def build_lexicon_tok2vec(tok2vec: Model[List[Doc], List[Floats2d]], width: int,
                          maxout_pieces: int = 3) -> Model[List[Doc], List[Floats2d]]:
    """``tok2vec``'s vectors concatenated with the dictionary features, mixed by a Maxout layer.

    ``width`` is the width of ``tok2vec`` and of the output (so a tagger built on this has
    the same output layer shape as one built on ``tok2vec``).
    """
    mix = Maxout(nO=width, nI=width + N_FEATURES, nP=maxout_pieces, normalize=True)
    model = chain(concatenate(tok2vec, lexicon_features_layer()), with_array(mix))
    model.set_dim("nO", width)
    return model


@registry.callbacks("fritekst.ordbank_table.v1")
def make_ordbank_table(lookups: str | None = None) -> Callable[[Language], Language]:
    """``[initialize] after_init``: set the Ordbank table that ``package.py`` ships."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from package import load_table

    def after_init(nlp: Language) -> Language:
        nlp.get_pipe("fritekst_lemma_exceptions").set_table(*load_table(Path(lookups) if lookups else None))
        return nlp

    return after_init
