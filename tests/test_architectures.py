"""fritekst.ContextListener.v1: the NER's view of the shared tok2vec, with a BiLSTM on top."""

from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.util import registry

from fritekst.nlp.architectures import context_listener

WIDTH = 8
TEXT = "Kommunen har fått flere henvendelser fra pårørende om bruk av GHB i Bergen ."


def _docs(nlp, tensors):
    docs = []
    for tensor in tensors:
        doc = nlp.make_doc(TEXT)
        doc.tensor = tensor
        docs.append(doc)
    return docs


def test_registered_under_its_config_name():
    # spacy.load resolves the shipped pipeline's config.cfg through this name
    assert registry.architectures.get("fritekst.ContextListener.v1") is context_listener


def test_each_token_sees_the_whole_document():
    """A change to the last token's vector reaches the first token's output (the shared
    CNN sees 4 tokens on each side), and the output keeps the listener's width."""
    nlp = spacy.blank("nb")
    n = len(nlp.make_doc(TEXT))
    assert n > 10
    rng = numpy.random.default_rng(0)
    base = rng.normal(size=(n, WIDTH)).astype("float32")
    changed = base.copy()
    changed[-1] += 1.0
    model = context_listener(width=WIDTH)
    model.initialize(X=_docs(nlp, [base]))
    out_base, out_changed = model.predict(_docs(nlp, [base, changed]))
    assert out_base.shape == (n, WIDTH)
    assert not numpy.allclose(out_base[0], out_changed[0])


def test_odd_width_is_refused():
    with pytest.raises(ValueError, match="even width"):
        context_listener(width=7)
