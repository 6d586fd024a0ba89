"""Experiment (2026-11-23, session 7; not shipped): dictionary knowledge as a model input.

Results and the decision are in ``training/EXPERIMENTS.md`` ("Tried 2026-11-23 (session 7)").
Write its config from the shipped one, then train with this file as ``--code`` (also for
``training/package.py`` and ``training/evaluate.py`` on the trained model)::

    python training/experiments/lexicon_input.py --into morphologizer -o lex.cfg
    python -m spacy train lex.cfg --output OUT --code training/experiments/lexicon_input.py

``--into`` names the components that get the features (``morphologizer``, ``ner`` or
both); the rest of the config is ``training/config.cfg`` as it is, without its layout
augmenter.

The morphologizer learns UPOS from a 300,000-word treebank, and its commonest errors on
open-class words are ones a dictionary settles: a form Norsk Ordbank knows only as a
noun tagged VERB, a sentence-initial common noun tagged PROPN. The shipped
``fritekst_pos_lexicon`` corrects some of them after the fact; this experiment lets a
model see the dictionary while it decides.

- The component ``fritekst_lexicon_features`` (first in the pipeline) stores, for every
  token, a 0/1 vector in ``doc.user_data[KEY]``: which Ordbank word classes the form has
  (noun, verb, adjective, adverb), whether Ordbank does not know it at all, and whether
  it is a listed Norwegian first name. The Ordbank table is the one of the pipeline's
  ``fritekst_lemma_exceptions`` component (``word_table``); for training, the callback
  ``fritekst.ordbank_table.v1`` gives that component its table right after
  initialisation (``[initialize] after_init``).
- The architecture ``fritekst.LexiconTok2Vec.v1`` wraps a component's
  ``Tok2VecListener``: it concatenates the shared token vectors with these features and
  mixes them in one Maxout layer of the same width. Unlike session 5's lexeme flags,
  which went into the shared tok2vec, it can feed one component only.

Docs without the features get zeros. Training runs the component as an annotating
component, so the training documents carry the features too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, List

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Config, Maxout, Model, chain, concatenate, with_array
from thinc.types import Floats2d

from fritekst.nlp.lemma_exceptions import NAME as LEMMA_EXCEPTIONS, word_table

#: Where the component leaves the features on a Doc.
KEY = "fritekst.lexicon_features"
#: The feature columns, in order.
COLUMNS = ("noun", "verb", "adj", "adv", "unknown", "first_name")
N_FEATURES = len(COLUMNS)


@Language.factory("fritekst_lexicon_features")
def make_lexicon_features(nlp: Language, name: str) -> "LexiconFeatures":
    return LexiconFeatures(nlp)


class LexiconFeatures:
    """Store each token's dictionary features in ``doc.user_data[KEY]`` (see the module docstring).

    Nothing to save or initialise: the table lives in the lemma-exception component.
    """

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self._cache: dict[str, np.ndarray] = {}
        self._first_names: frozenset[str] | None = None

    def first_names(self) -> frozenset[str]:
        if self._first_names is None:
            from fritekst.redact import load_lexicon

            self._first_names = frozenset(load_lexicon().first_names)
        return self._first_names

    def features(self, word: str, table) -> np.ndarray:  # noqa: ANN001
        """The feature row of one word form (cached per form once the table is there)."""
        row = self._cache.get(word)
        if row is None:
            classes = table.classes(word) if table is not None else set()
            row = np.array([c in classes for c in COLUMNS[:4]]
                           + [table is not None and not classes,
                              word[:1].isupper() and word.capitalize() in self.first_names()],
                           dtype="float32")
            if table is not None and len(self._cache) < 200_000:
                self._cache[word] = row
        return row

    def __call__(self, doc: Doc) -> Doc:
        table = word_table(self.nlp)
        rows = [self.features(token.text, table) for token in doc]
        doc.user_data[KEY] = np.vstack(rows) if rows else np.zeros((0, N_FEATURES), dtype="float32")
        return doc


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


SHIPPED_CONFIG = Path(__file__).resolve().parent.parent / "config.cfg"


def experiment_config(into: list[str], base: Path = SHIPPED_CONFIG, layout: bool = False) -> Config:
    """``base`` with the feature component first, the Ordbank table and ``into``'s listeners wrapped.

    layout: keep the layout augmenter (the caller's ``--code`` file must register it).
    """
    cfg = Config().from_disk(base, interpolate=False)
    # the session-7 runs trained without the layout augmenter (training/augment.py, added
    # in session 8), and spacy train takes one --code file: keep them reproducible
    if not layout:
        cfg["corpora"]["train"]["augmenter"] = None
    pipeline = cfg["nlp"]["pipeline"]
    pipeline.insert(0, "fritekst_lexicon_features")
    pipeline.insert(pipeline.index("trainable_lemmatizer") + 1, LEMMA_EXCEPTIONS)
    cfg["training"]["annotating_components"] = ["fritekst_lexicon_features"]
    cfg["initialize"]["after_init"] = {"@callbacks": "fritekst.ordbank_table.v1"}
    cfg["components"]["fritekst_lexicon_features"] = {"factory": "fritekst_lexicon_features"}
    cfg["components"][LEMMA_EXCEPTIONS] = {"factory": LEMMA_EXCEPTIONS, "overwrite": True}
    for name in into:
        listener = cfg["components"][name]["model"]["tok2vec"]
        cfg["components"][name]["model"]["tok2vec"] = {
            "@architectures": "fritekst.LexiconTok2Vec.v1", "width": listener["width"],
            "maxout_pieces": 3, "tok2vec": listener}
    return cfg


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Write the config of the Ordbank-input experiment")
    ap.add_argument("--into", nargs="+", choices=["morphologizer", "ner"], default=["morphologizer"])
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args()
    experiment_config(args.into).to_disk(args.output)
    print(f"wrote {args.output} (features into {', '.join(args.into)})")
