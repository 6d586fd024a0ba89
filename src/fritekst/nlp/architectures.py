"""Model architectures of fritekst's own Norwegian pipeline.

``fritekst.ContextListener.v1`` is what the NER reads: the shared tok2vec's vectors (a
``spacy.Tok2VecListener.v1``), with a bidirectional LSTM over the whole document added to
them (a residual connection). The shared CNN sees ``depth * window_size`` tokens on each
side of a word (4 here); whether "Hemsedal" or "Aftenposten" is a place, an organisation
or a product is often said further away, and the LSTM carries it. The morphologizer,
lemmatizer and senter read the CNN's vectors unchanged: with the LSTM in the shared tok2vec
instead, spaCy's dev UPOS and NER F were no better than without it up to step 6,000, where
that run was stopped (training/README.md, session 9).

It is thinc's own LSTM (no PyTorch), with ``width / 2`` hidden units per direction so that
its output keeps the listener's width.

Registered in spaCy's ``architectures`` registry when this module is imported
(:mod:`fritekst.nlp.base` imports it) and through the ``spacy_architectures`` entry point,
so that ``spacy.load`` and ``spacy train`` find it.
"""

from __future__ import annotations

from typing import List

from spacy.ml.models.tok2vec import tok2vec_listener_v1  # spacy.Tok2VecListener.v1
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import LSTM, Model, chain, residual, with_padded
from thinc.types import Floats2d


@registry.architectures("fritekst.ContextListener.v1")
def context_listener(
    width: int, upstream: str = "*", depth: int = 1, dropout: float = 0.0
) -> Model[List[Doc], List[Floats2d]]:
    """A ``spacy.Tok2VecListener.v1`` followed by a residual bidirectional LSTM.

    width, upstream: as in ``spacy.Tok2VecListener.v1`` (width must be even).
    depth: stacked LSTM layers. dropout: the LSTM's initial weight dropout. spaCy's
    training loop overrides it: each update sets every layer's dropout rate to
    ``[training] dropout`` (``thinc.api.set_dropout_rate``), so the shipped runs trained
    with 0.1 whatever the config says here (a run with 0.2 logged the same losses and
    scores, step for step, as one with 0.0; training/EXPERIMENTS.md, session 10).
    """
    if width % 2:
        raise ValueError(f"the BiLSTM needs an even width (got {width})")
    listener = tok2vec_listener_v1(width=width, upstream=upstream)
    lstm = with_padded(LSTM(nO=width, nI=width, bi=True, depth=depth, dropout=dropout))
    return chain(listener, residual(lstm))
