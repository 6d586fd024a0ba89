"""Experiment (2026-11-23, session 11): NDT's dependency labels as an auxiliary training task.

The largest UPOS error groups on dev are syntactic: "som" as ADP, SCONJ or PRON, AUX
against VERB for "er"/"har"/"blir", ADP against SCONJ. The treebank's conversion settles
them from NDT's dependency labels (``convert.py``), but the model never sees a parse. A
parser on the shared tok2vec (session 1) raised UPOS and cost the NER and 40 % of the
speed, since it has to run at prediction time.

Here a tagger, ``aux_deps``, learns each token's NDT dependency label and the side its head
is on ("SUBJ_R": subject of a head to its right) from the shared tok2vec, during training
only. ``package.py --drop aux_deps`` removes it, so the shipped pipeline and its speed are
as before; only the shared vectors have learned from the extra task.

Results (``training/EXPERIMENTS.md``, "Tried 2026-11-23 (session 11)"): spaCy's dev pos_acc
rose by less than 0.1 and its NER F fell by 1.5 and 4 points (seeds 0 and 1, steps
4,500-7,000). Not shipped.

    python training/experiments/aux_deps.py -o aux.cfg
    python -m spacy train aux.cfg --output OUT --code training/experiments/aux_deps.py
    python training/package.py OUT/model-last PKG --drop aux_deps
    python training/evaluate.py PKG --split dev
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Iterator

from spacy.language import Language
from spacy.training import Example
from spacy.util import registry
from thinc.api import Config

TRAINING = Path(__file__).resolve().parent.parent
if str(TRAINING) not in sys.path:
    sys.path.insert(0, str(TRAINING))

import augment  # noqa: E402,F401  (registers fritekst.comment_layout.v1, which the config wraps)

NAME = "aux_deps"


def dep_tag(token) -> str:  # noqa: ANN001
    """The token's dependency label and the side of its head (L, R, or 0 for a root)."""
    side = "L" if token.head.i < token.i else "R" if token.head.i > token.i else "0"
    return f"{token.dep_}_{side}"


@registry.augmenters("fritekst.dep_tags.v1")
def create_dep_tag_augmenter(
        augmenter: Callable[[Language, Example], Iterator[Example]]) -> Callable[[Language, Example], Iterator[Example]]:
    """``augmenter`` (the comment layout one, say), then each reference token's tag set to ``dep_tag``."""

    def dep_tag_augmenter(nlp: Language, example: Example) -> Iterator[Example]:
        for eg in augmenter(nlp, example):
            if eg.reference.has_annotation("DEP"):
                for token in eg.reference:
                    token.tag_ = dep_tag(token)
            yield eg

    return dep_tag_augmenter


def experiment_config(base: Path = TRAINING / "config.cfg") -> Config:
    """The shipped config with the ``aux_deps`` tagger on the shared tok2vec (see the docstring)."""
    cfg = Config().from_disk(base, interpolate=False)
    train = cfg["corpora"]["train"]
    train["augmenter"] = {"@augmenters": "fritekst.dep_tags.v1", "augmenter": train["augmenter"]}
    pipeline = cfg["nlp"]["pipeline"]
    pipeline.insert(pipeline.index("morphologizer") + 1, NAME)
    listener = dict(cfg["components"]["morphologizer"]["model"]["tok2vec"])
    cfg["components"][NAME] = {
        "factory": "tagger", "overwrite": True, "label_smoothing": 0.0, "neg_prefix": "!",
        "model": {"@architectures": "spacy.Tagger.v2", "nO": None, "normalize": False, "tok2vec": listener},
        "scorer": {"@scorers": "spacy.tagger_scorer.v1"}}
    cfg["training"]["score_weights"]["tag_acc"] = 0.0
    return cfg


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Write the config of the auxiliary dependency-label experiment")
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args()
    experiment_config().to_disk(args.output)
    print(f"wrote {args.output}")
