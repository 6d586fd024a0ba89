"""Experiment (2026-11-23, session 10; not shipped): Ordbank features for the morphologizer, in context.

Results and the decision are in ``training/EXPERIMENTS.md`` ("Tried 2026-11-23 (session 10)"):
UPOS rose by 0.2-0.4 points on dev, NER F fell by 1.4-1.6, and the pipeline was a third
slower.

Session 5 put Norsk Ordbank flags into the shared tok2vec: the whole pipeline's dev UPOS
rose from 97.11 to 97.4, but the NER lost 1-2 points. Session 7 gave the same features to
the morphologizer alone, next to the shared vectors (``lexicon_input.py``): the
morphologizer gained, but ``fritekst_pos_lexicon`` already made those corrections, and the
whole pipeline's UPOS did not move. What the shared tok2vec had and session 7's wrapper
lacked is context: there the CNN mixed a word's dictionary classes with its neighbours'.

``fritekst.LexiconContextTok2Vec.v1`` gives the morphologizer the shared vectors and the
features (``lexicon_input.py``'s component), mixed by a Maxout layer and then a residual
CNN of its own (``spacy.MaxoutWindowEncoder.v2``: ``depth`` layers, ``window_size`` tokens
on each side). The NER's input does not change. ``--upstream-gradient`` sets the share of
the morphologizer's gradient that reaches the shared tok2vec (0: none).

    python training/experiments/lexicon_context.py [--upstream-gradient 0.3] -o ctx.cfg
    python -m spacy train ctx.cfg --output OUT --code training/experiments/lexicon_context.py
    python training/package.py OUT/model-last PKG --code training/experiments/lexicon_context.py
    python training/evaluate.py PKG --split dev --code training/experiments/lexicon_context.py

``--frozen-from RUN/model-last`` (session 11) takes the tok2vec, lemmatizer, senter and
NER of a trained pipeline frozen and trains only the morphologizer, on the frozen shared
vectors: UPOS did not move (``training/EXPERIMENTS.md``, "Tried 2026-11-23 (session 11)").

Unlike ``lexicon_input.py``, the config keeps the layout augmenter (this file imports
``training/augment.py``, since ``spacy train`` takes one ``--code`` file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Union

from spacy.ml.models.tok2vec import MaxoutWindowEncoder  # spacy.MaxoutWindowEncoder.v2
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Config, Maxout, Model, chain, concatenate, with_array
from thinc.types import Floats2d

HERE = Path(__file__).resolve().parent
for _path in (HERE, HERE.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import augment  # noqa: E402,F401  (registers fritekst.comment_layout.v1)
import lexicon_input  # noqa: E402  (the feature component, its layer, the Ordbank callback)


@registry.architectures("fritekst.LexiconContextTok2Vec.v1")
def build_lexicon_context_tok2vec(tok2vec: Model[List[Doc], List[Floats2d]], width: int,
                                  depth: int = 2, window_size: int = 1,
                                  maxout_pieces: int = 3,
                                  upstream_gradient: Union[float, bool] = 1.0) -> Model[List[Doc], List[Floats2d]]:
    """``tok2vec``'s vectors and the dictionary features, mixed and then encoded in context.

    upstream_gradient: the share of this component's gradient passed on to ``tok2vec``
    (0 or false: none, so that the shared tok2vec learns from the other components only).
    """
    if upstream_gradient != 1:
        tok2vec = scale_gradient(tok2vec, float(upstream_gradient))
    mix = Maxout(nO=width, nI=width + lexicon_input.N_FEATURES, nP=maxout_pieces, normalize=True)
    encode = MaxoutWindowEncoder(width=width, window_size=window_size, maxout_pieces=maxout_pieces, depth=depth)
    model = chain(concatenate(tok2vec, lexicon_input.lexicon_features_layer()), with_array(mix), encode)
    model.set_dim("nO", width)
    return model


def scale_gradient(layer: Model, factor: float) -> Model:
    """``layer``'s output, with its gradient multiplied by ``factor`` (0: not passed back at all)."""
    def forward(model: Model, docs: List[Doc], is_train: bool):  # noqa: ANN202
        out, inner_backprop = model.layers[0](docs, is_train)

        def backprop(d_out: List[Floats2d]) -> List[Doc]:
            return inner_backprop([d * factor for d in d_out]) if factor else []

        return out, backprop

    return Model("scale_gradient", forward, layers=[layer], dims={"nO": layer.get_dim("nO")})


#: The components a ``--frozen-from`` run takes, unchanged, from a trained pipeline.
FROZEN = ["tok2vec", "trainable_lemmatizer", "senter", "ner"]


def freeze(cfg: Config, frozen_from: Path, annotate_tok2vec: bool = True) -> Config:
    """Source ``FROZEN`` from ``frozen_from`` (``spacy train`` output) into ``cfg``, frozen.

    annotate_tok2vec: the frozen tok2vec reaches listeners that train only through
    doc.tensor, so it has to annotate while they train. Returns the trained tok2vec's
    model config (interpolated), whose section ``cfg`` no longer has.
    """
    trained = Config().from_disk(frozen_from / "config.cfg")["components"]["tok2vec"]["model"]
    for name in FROZEN:
        cfg["components"][name] = {"source": str(frozen_from.resolve())}
    cfg["training"]["frozen_components"] = list(FROZEN)
    if annotate_tok2vec:
        cfg["training"]["annotating_components"].append("tok2vec")
    return trained


def experiment_config(depth: int, upstream_gradient: float = 1.0, frozen_from: Path | None = None) -> Config:
    """The shipped config (layout augmenter included) with the features in the morphologizer.

    frozen_from: a trained pipeline (``spacy train`` output) whose tok2vec, lemmatizer,
    senter and NER are taken over frozen (``freeze``); only the new morphologizer trains,
    on the frozen tok2vec's vectors, so the NER is the trained pipeline's own.
    """
    cfg = lexicon_input.experiment_config([], layout=True)
    listener = cfg["components"]["morphologizer"]["model"]["tok2vec"]
    cfg["components"]["morphologizer"]["model"]["tok2vec"] = {
        "@architectures": "fritekst.LexiconContextTok2Vec.v1", "width": listener["width"],
        "depth": depth, "window_size": 1, "maxout_pieces": 3,
        "upstream_gradient": upstream_gradient, "tok2vec": listener}
    if frozen_from is not None:
        # the sourced tok2vec's section is gone: its width can no longer be interpolated
        width = freeze(cfg, frozen_from)["encode"]["width"]
        morph = cfg["components"]["morphologizer"]["model"]["tok2vec"]
        morph["width"] = morph["tok2vec"]["width"] = width
    return cfg


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Write the config of the in-context Ordbank-feature experiment")
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--upstream-gradient", type=float, default=1.0,
                    help="share of the morphologizer's gradient passed on to the shared tok2vec")
    ap.add_argument("--frozen-from", type=Path, default=None,
                    help="a trained pipeline whose tok2vec, lemmatizer, senter and NER are kept frozen")
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args()
    experiment_config(args.depth, args.upstream_gradient, args.frozen_from).to_disk(args.output)
    print(f"wrote {args.output} (CNN depth {args.depth}, upstream gradient {args.upstream_gradient})")
