"""Does the classifier help on real text? Outer 5-fold CV over the REAL train sentences.

Each fold trains the classifier on everything of split ``train`` (constructed comments
included) except one fifth of the real sentences, and scores rules alone and rules +
classifier on that fifth, per family (micro P/R/F1). Held-out sentences are never read
(``training_set(split="train")``). Use it to choose classifier settings without touching
the held-out split.

Usage (repository root): python annotations/scripts/cv_real.py [VARIANTS.json]
VARIANTS.json maps a name to LabelClassifier parameters, e.g.
{"noveto": {"veto": false}, "combined": {"threshold_target": "combined", "_real": true}}
(``_real``: choose thresholds on the real sentences only; ``_real_only``: train on the
real sentences only, without the constructed comments).
"""
import json
import sys
import numpy as np
from sklearn.model_selection import KFold
from fritekst.annotate import read_annotations
from fritekst.classify import training_set, train, combine, build_items, rule_labels_of, prf
from fritekst.codebook import load_codebook
from fritekst.nlp.base import load_base
from fritekst.tagging import Tagger
from pathlib import Path

paths = ["annotations"]
recs = []
for p in paths:
    for f in sorted(Path(p).rglob("*.jsonl")) if Path(p).is_dir() else [Path(p)]:
        recs.extend(read_annotations(f))
records = training_set(recs, split="train")
assert not any(r.get("split") == "heldout" for r in records)
cb = load_codebook(None)
nlp = load_base()
tagger = Tagger(nlp=nlp, codebook=cb, classifier=None)
texts = [r["text"] for r in records]
tagged = [tagger.tag_text(t) for t in texts]
items = build_items(texts, rule_labels=[rule_labels_of(t) for t in tagged], nlp=nlp)
rules = [list(t.labels) for t in tagged]
neg = [list(t.negated) for t in tagged]
real = np.array([r.get("source") != "constructed" for r in records])
ridx = np.where(real)[0]
print(f"{len(records)} train records, {real.sum()} real")
VARIANTS = {"default": {}}
if len(sys.argv) > 1:
    VARIANTS.update(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
for vname, params in VARIANTS.items():
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    counts = {(fam, sysn): [0, 0, 0] for fam in ("bekymring", "tiltak") for sysn in ("rules", "combined")}
    for k, (tr, te) in enumerate(KFold(5, shuffle=True, random_state=0).split(ridx)):
        test = set(ridx[te])
        tr_idx = [i for i in range(len(records)) if i not in test]
        p2 = dict(params); real_cal = p2.pop("_real", False)
        if p2.pop("_real_only", False):  # train on the real sentences only
            tr_idx = [i for i in tr_idx if real[i]]
        clf = train([records[i] for i in tr_idx], codebook=cb, items=[items[i] for i in tr_idx], params={"random_state": 0, **p2}, calibrate_on_real=real_cal)
        te_idx = sorted(test)
        probs = clf.predict_proba([items[i] for i in te_idx])
        for i, p in zip(te_idx, probs):
            gold = set(records[i].get("labels") or [])
            comb = set(combine(rules[i], neg[i], p, clf.thresholds_, clf.veto_thresholds_))
            for sysn, pred in (("rules", set(rules[i])), ("combined", comb)):
                for fam in ("bekymring", "tiltak"):
                    g = {l for l in gold if l.startswith(fam)}; q = {l for l in pred if l.startswith(fam)}
                    c = counts[(fam, sysn)]; c[0] += len(g & q); c[1] += len(q - g); c[2] += len(g - q)
    print(vname, " ".join(f"{fam}/{s}: F1 {prf(*c)['f1']:.3f} (tp {c[0]} fp {c[1]} fn {c[2]})" for (fam, s), c in counts.items()), flush=True)
