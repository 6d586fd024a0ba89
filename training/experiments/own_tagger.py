"""Experiment (2026-11-23, session 11): a morphologizer with a tok2vec of its own and Ordbank features.

Session 10 (``lexicon_context.py``) gave the morphologizer Norsk Ordbank's word classes
in context, on top of the shared tok2vec: UPOS rose, but the NER, which shares that
tok2vec, lost 1.4-2.4 points of F. This session's first run took the NER's side out of
play by freezing a trained pipeline and training only the new morphologizer on the frozen
shared vectors (``lexicon_context.py --frozen-from``): UPOS stayed where it was (spaCy's
dev pos_acc 96.55 against 96.58). What helped in session 10 was the shared tok2vec
learning with the features, so here the morphologizer gets a tok2vec of its own.

``fritekst.OwnLexiconTok2Vec.v1``: an embedding and a CNN of the morphologizer's own
(``spacy.Tok2Vec.v2``), concatenated with the dictionary features (and, with
``--shared``, with the frozen shared tok2vec's vectors, which cost nothing more at
prediction time), mixed by a Maxout layer and encoded by ``depth`` more CNN layers. The
other components come frozen from a trained pipeline, so the NER is that pipeline's own.

Results (``training/EXPERIMENTS.md``, "Tried 2026-11-23 (session 11)"): with ``--shared`` UPOS
stayed where the frozen vectors had it; without, dev UPOS of the whole pipeline rose by
0.06 and 0.12 (seeds 0 and 1), at 22 MB and 40 % slower. Not shipped.

    python training/experiments/own_tagger.py --frozen-from RUN/model-last [--shared] -o own.cfg
    python -m spacy train own.cfg --output OUT --code training/experiments/own_tagger.py
    python training/package.py OUT/model-last PKG --code training/experiments/own_tagger.py
    python training/evaluate.py PKG --split dev --code training/experiments/own_tagger.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from spacy.ml.models.tok2vec import MaxoutWindowEncoder
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Config, Maxout, Model, chain, concatenate, with_array
from thinc.types import Floats2d

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import lexicon_context  # noqa: E402  (registers the augmenter, the feature component, the callback)
from lexicon_input import N_FEATURES, lexicon_features_layer  # noqa: E402


@registry.architectures("fritekst.OwnLexiconTok2Vec.v1")
def build_own_lexicon_tok2vec(own: Model[List[Doc], List[Floats2d]], width: int,
                              shared: Optional[Model[List[Doc], List[Floats2d]]] = None,
                              depth: int = 2, window_size: int = 1,
                              maxout_pieces: int = 3) -> Model[List[Doc], List[Floats2d]]:
    """``own``'s vectors (width ``width``), ``shared``'s if given, and the dictionary features, mixed and encoded."""
    inputs = [own] + ([shared] if shared is not None else []) + [lexicon_features_layer()]
    n_in = sum(layer.get_dim("nO") for layer in inputs)
    mix = Maxout(nO=width, nI=n_in, nP=maxout_pieces, normalize=True)
    encode = MaxoutWindowEncoder(width=width, window_size=window_size, maxout_pieces=maxout_pieces, depth=depth)
    model = chain(concatenate(*inputs), with_array(mix), encode)
    model.set_dim("nO", width)
    return model


def experiment_config(frozen_from: Path, shared: bool, own_depth: int = 2, depth: int = 2) -> Config:
    """``lexicon_context``'s config, frozen, with the morphologizer's tok2vec replaced (see the module docstring)."""
    cfg = lexicon_context.experiment_config(depth)
    # without --shared nothing in training reads the frozen tok2vec
    shared_t2v = lexicon_context.freeze(cfg, frozen_from, annotate_tok2vec=shared)
    width = shared_t2v["encode"]["width"]
    own = {"@architectures": "spacy.Tok2Vec.v2",
           "embed": dict(shared_t2v["embed"], width=width),
           "encode": dict(shared_t2v["encode"], depth=own_depth)}
    listener = dict(cfg["components"]["morphologizer"]["model"]["tok2vec"]["tok2vec"], width=width)
    cfg["components"]["morphologizer"]["model"]["tok2vec"] = {
        "@architectures": "fritekst.OwnLexiconTok2Vec.v1", "width": width, "depth": depth,
        "window_size": 1, "maxout_pieces": 3, "own": own, **({"shared": listener} if shared else {})}
    return cfg


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Write the config of the own-tok2vec morphologizer experiment")
    ap.add_argument("--frozen-from", type=Path, required=True, help="a trained pipeline (spacy train output)")
    ap.add_argument("--shared", action="store_true", help="also give the morphologizer the frozen shared vectors")
    ap.add_argument("--own-depth", type=int, default=2)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args()
    experiment_config(args.frozen_from, args.shared, args.own_depth, args.depth).to_disk(args.output)
    print(f"wrote {args.output}")
