"""Evaluate a Norwegian pipeline on the UD Bokmål test split (NorNE entities).

Prints UPOS accuracy, lemma accuracy, sentence P/R/F, NER P/R/F overall and per type,
and words/s for the whole pipeline on one core. Entities are scored with fritekst's
label set (GPE_LOC/GPE_ORG -> GPE, MISC dropped; see training/convert.py), so a
pipeline with NorNE's 9 labels (e.g. nb_core_news_*) should be compared on ``ents_f``
with care. Tokenization is the pipeline's own (raw text in, aligned to gold).

Usage: python training/evaluate.py [PIPELINE] [--split test|dev] [--norne ../shared/data/norne]
       [--json OUT] [--update-meta]
PIPELINE defaults to models/nb_fritekst. ``--update-meta`` writes the scores into the
pipeline folder's ``meta.json`` (``fritekst.ud_test_scores``), as ``train.sh`` does.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import spacy  # noqa: E402
from spacy.scorer import Scorer  # noqa: E402
from spacy.tokens import Doc  # noqa: E402
from spacy.training import Example  # noqa: E402

import fritekst.nlp.base  # noqa: E402,F401  (registers fritekst's spaCy factories)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from augment import with_breaks  # noqa: E402
from convert import NORNE_DEFAULT, read_ud, ud_docs  # noqa: E402


def with_line_breaks(doc: Doc, drop_periods: bool = False) -> Doc:
    """The gold document with a line break after every sentence ("\\n\\n" after every
    third), as in comments written in paragraphs or lists; with ``drop_periods`` a
    sentence's final "." goes, as in a list. The treebank has no whitespace tokens; these
    get POS SPACE, their own text as lemma and no entity (``augment.with_breaks``, which
    builds the training documents' line breaks too; the choice of breaks here is fixed,
    not random, so that a model is not measured on its own augmentation)."""
    breaks: dict[int, str] = {}
    dropped: set[int] = set()
    sents = list(doc.sents)
    for i, sent in enumerate(sents):
        last = sent[-1]
        if drop_periods and len(sent) > 1 and last.text == ".":
            dropped.add(last.i)
            last = sent[-2]
        if i < len(sents) - 1:
            breaks[last.i] = "\n\n" if i % 3 == 2 else "\n"
    return with_breaks(doc, breaks, dropped)


def word_scores(examples: list[Example]) -> dict:
    """Scores that leave whitespace tokens out, so that a text with line breaks can be
    compared with the same text without them (spaCy's scorer skips predicted whitespace
    tokens but counts gold ones as misses, and a sentence that begins with the line break
    before it does not match one that ends with it).

    UPOS and lemma accuracy over word tokens aligned one-to-one with a gold token, UPOS
    accuracy over whitespace tokens, and sentence-start P/R/F where a sentence starts at
    its first word token."""
    right = {"pos": 0, "lemma": 0, "space": 0}
    total = {"words": 0, "space": 0}
    found = correct = expected = 0
    for eg in examples:
        x2y = eg.alignment.x2y
        gold_pos = eg.get_aligned("POS", as_string=True)
        gold_lemma = eg.get_aligned("LEMMA", as_string=True)
        for tok, pos, lemma in zip(eg.predicted, gold_pos, gold_lemma):
            if not pos:
                continue
            kind = "space" if tok.is_space else "words"
            total[kind] += 1
            if kind == "space":
                right["space"] += tok.pos_ == pos
            else:
                right["pos"] += tok.pos_ == pos
                right["lemma"] += tok.lemma_ == lemma
        gold_starts = {w[0].i for w in map(_words_of, eg.reference.sents) if w}
        pred_starts = set()
        for sent in eg.predicted.sents:
            words = _words_of(sent)
            if words and x2y.lengths[words[0].i] == 1:
                pred_starts.add(int(x2y[words[0].i][0]))
        found += len(pred_starts)
        expected += len(gold_starts)
        correct += len(pred_starts & gold_starts)
    p = correct / found if found else 0.0
    r = correct / expected if expected else 0.0
    return {
        "pos_acc_words": right["pos"] / total["words"] if total["words"] else None,
        "lemma_acc_words": right["lemma"] / total["words"] if total["words"] else None,
        "pos_acc_space": right["space"] / total["space"] if total["space"] else None,
        "sents_f_words": 2 * p * r / (p + r) if p + r else 0.0,
    }


def _words_of(span) -> list:
    return [t for t in span if not t.is_space]


def evaluate(model: str, norne: Path, repeats: int = 3, split: str = "test",
             line_breaks: bool = False, drop_periods: bool = False) -> dict:
    nlp = spacy.load(model)
    gold = list(ud_docs(nlp.vocab, read_ud(norne, split)))
    if line_breaks:
        gold = [with_line_breaks(d, drop_periods) for d in gold]
    examples = [Example(nlp.make_doc(d.text), d) for d in gold]
    for eg, doc in zip(examples, nlp.pipe((eg.predicted for eg in examples), batch_size=64)):
        eg.predicted = doc
    scores = Scorer(nlp=nlp).score(examples)
    words_only = word_scores(examples)
    texts = [d.text for d in gold]
    n_words = sum(len(d) for d in gold)
    best = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=64):
            pass
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    out = {
        "pipeline": model,
        "split": split + (" with line breaks" if line_breaks else "")
        + (" and no final periods" if line_breaks and drop_periods else ""),
        "pos_acc": scores.get("pos_acc"),
        **words_only,
        "lemma_acc": scores.get("lemma_acc"),
        "sents_p": scores.get("sents_p"), "sents_r": scores.get("sents_r"), "sents_f": scores.get("sents_f"),
        "ents_p": scores.get("ents_p"), "ents_r": scores.get("ents_r"), "ents_f": scores.get("ents_f"),
        "ents_per_type": scores.get("ents_per_type"),
        "words": n_words,
        "words_per_second": round(n_words / best),
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pipeline", nargs="?", default=str(HERE.parent / "models" / "nb_fritekst"))
    ap.add_argument("--norne", type=Path, default=NORNE_DEFAULT)
    ap.add_argument("--split", choices=["test", "dev"], default="test",
                    help="UD split to score on; use dev while developing, test for final figures")
    ap.add_argument("--line-breaks", action="store_true",
                    help="insert a line break after every sentence (robustness to comment layout)")
    ap.add_argument("--drop-periods", action="store_true",
                    help="with --line-breaks: also drop each sentence's final period (a list)")
    ap.add_argument("--repeats", type=int, default=3, help="timing runs (the best one counts)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--code", type=Path, default=None,
                    help="Python file with extra spaCy components/architectures the pipeline uses (experiments)")
    ap.add_argument("--update-meta", action="store_true",
                    help="write the scores into PIPELINE/meta.json (fritekst.ud_test_scores)")
    args = ap.parse_args()
    if args.code:
        spacy.util.import_file("fritekst_experiment", args.code)
    if args.update_meta and (args.split != "test" or args.line_breaks):
        ap.error("--update-meta records the plain test-split scores only")
    s = evaluate(args.pipeline, args.norne, repeats=args.repeats, split=args.split,
                 line_breaks=args.line_breaks, drop_periods=args.drop_periods)
    pct = lambda v: "-" if v is None else f"{100 * v:.1f}"  # noqa: E731
    print(f"pipeline: {s['pipeline']}  (UD {s['split']} split)")
    if s["pos_acc_space"] is not None:
        print(f"word tokens only: UPOS acc {pct(s['pos_acc_words'])}  lemma acc "
              f"{pct(s['lemma_acc_words'])}  sentence-start F {pct(s['sents_f_words'])}; "
              f"UPOS of whitespace tokens {pct(s['pos_acc_space'])}")
    print(f"UPOS acc {pct(s['pos_acc'])}  lemma acc {pct(s['lemma_acc'])}  "
          f"sentences P/R/F {pct(s['sents_p'])}/{pct(s['sents_r'])}/{pct(s['sents_f'])}")
    print(f"NER P/R/F {pct(s['ents_p'])}/{pct(s['ents_r'])}/{pct(s['ents_f'])}")
    for typ, v in sorted((s["ents_per_type"] or {}).items()):
        print(f"  {typ:5s} P/R/F {100 * v['p']:.1f}/{100 * v['r']:.1f}/{100 * v['f']:.1f}")
    print(f"speed: {s['words_per_second']} words/s on one core ({s['words']} words)")
    if args.json:
        args.json.write_text(json.dumps(s, indent=2), encoding="utf-8")
    if args.update_meta:
        meta_path = Path(args.pipeline) / "meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta.setdefault("fritekst", {})["ud_test_scores"] = s
        meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
