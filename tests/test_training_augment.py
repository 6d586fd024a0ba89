"""The training augmenter that gives treebank documents the layout of survey comments.

The sentences are constructed (not treebank text): the treebank may not be republished.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import load_config

TRAINING = Path(__file__).resolve().parents[1] / "training"
sys.path.insert(0, str(TRAINING))
import augment  # noqa: E402


@pytest.fixture()
def example():
    nlp = spacy.blank("nb")
    words = ["Det", "er", "lite", "hasj", ".", "Kari", "Hansen", "ringer", "brukerne", ".",
             "De", "savner", "dagsenteret", "!"]
    spaces = [True, True, True, False, True, True, True, True, False, True,
              True, True, False, False]
    pos = ["PRON", "AUX", "ADJ", "NOUN", "PUNCT", "PROPN", "PROPN", "VERB", "NOUN", "PUNCT",
           "PRON", "VERB", "NOUN", "PUNCT"]
    lemmas = ["det", "være", "lite", "hasj", "$.", "Kari", "Hansen", "ringe", "bruker", "$.",
              "de", "savne", "dagsenter", "$!"]
    heads = [1, 1, 3, 1, 1, 7, 5, 7, 7, 7, 11, 11, 11, 11]
    deps = ["SUBJ", "ROOT", "ATR", "SPRED", "IP", "SUBJ", "FLAT", "ROOT", "DOBJ", "IP",
            "SUBJ", "ROOT", "DOBJ", "IP"]
    starts = [True] + [False] * 4 + [True] + [False] * 4 + [True] + [False] * 3
    ents = ["O"] * 5 + ["B-PER", "I-PER"] + ["O"] * 7
    ref = Doc(nlp.vocab, words=words, spaces=spaces, pos=pos, lemmas=lemmas, heads=heads,
              deps=deps, sent_starts=starts, ents=ents)
    return nlp, Example(nlp.make_doc(ref.text), ref)


@pytest.mark.parametrize("drop_period,text", [
    (1.0, "Det er lite hasj\nKari Hansen ringer brukerne\nDe savner dagsenteret!"),
    (0.0, "Det er lite hasj.\nKari Hansen ringer brukerne.\nDe savner dagsenteret!"),
])
def test_line_breaks_between_sentences_start_the_next_sentence(example, drop_period, text):
    nlp, eg = example
    out = augment.with_sentence_breaks(nlp, eg, break_level=1.0, drop_period=drop_period)
    ref = out.reference
    assert ref.text.replace("\n\n", "\n") == text
    breaks = [t for t in ref if t.is_space]
    assert len(breaks) == 2
    for t in breaks:
        assert (t.pos_, t.lemma_, t.ent_iob_, t.is_sent_start) == ("SPACE", t.text, "O", False)
        assert ref[t.i + 1].is_sent_start
    assert [s[0].text for s in ref.sents] == ["Det", "Kari", "De"]
    assert [(e.text, e.label_) for e in ref.ents] == [("Kari Hansen", "PER")]
    # every word keeps its head and label although tokens were removed and inserted
    heads = {(t.text, t.dep_, t.head.text) for t in ref if not t.is_space}
    assert ("hasj", "SPRED", "er") in heads and ("brukerne", "DOBJ", "ringer") in heads
    assert ("!", "IP", "savner") in heads and ("Hansen", "FLAT", "Kari") in heads
    assert ("De", "SUBJ", "savner") in heads
    # the tokenizer reads the new text back into the same tokens
    assert [t.text for t in out.predicted] == [t.text for t in ref]


def test_no_break_leaves_the_example_as_it_was(example):
    nlp, eg = example
    assert augment.with_sentence_breaks(nlp, eg, break_level=0.0, drop_period=1.0) is eg


def test_the_training_config_resolves_the_augmenter(example):
    nlp, eg = example
    config = load_config(TRAINING / "config.cfg", interpolate=False)
    augmenter = spacy.registry.resolve({"a": config["corpora"]["train"]["augmenter"]})["a"]
    random.seed(3)
    texts = {ex.reference.text for _ in range(40) for ex in augmenter(nlp, eg)}
    assert eg.reference.text in texts  # most documents pass unchanged
    assert any("\n" in t for t in texts)
