"""Does the classifier help on real text? Outer 5-fold CV over the REAL train sentences.

Each fold trains the classifier on everything of split ``train`` (constructed comments
included) except one fifth of the real sentences, and scores rules alone and rules +
classifier on that fifth, per family (micro P/R/F1). Held-out sentences are never read
(``training_set(split="train")``). Use it to choose classifier settings without touching
the held-out split.

Usage (repository root): python annotations/scripts/cv_real.py [VARIANTS.json]
VARIANTS.json maps a name to LabelClassifier parameters, e.g.
{"veto": {"veto": true}, "combined": {"threshold_target": "combined", "_real": true}}
(``_real``: choose thresholds on the real sentences only; ``_real_only``: train on the
real sentences only, without the constructed comments).
"""

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

from fritekst.classify import evaluate, train, training_set, prf
from fritekst.cli.annotate import _annotation_records, _rule_outputs
from fritekst.codebook import load_codebook

FAMILIES = ("bekymring", "tiltak")
SYSTEMS = ("rules", "combined")

records = training_set(_annotation_records(("annotations",)), split="train")  # held-out never kept
codebook = load_codebook(None)
labels = [lab.id for lab in codebook.labels]
_, items, rules, negated = _rule_outputs([r["text"] for r in records], codebook, "auto")
real = np.array([r.get("source") != "constructed" for r in records])
real_idx = np.where(real)[0]
print(f"{len(records)} train records, {real.sum()} real")

variants = {"default": {}}
if len(sys.argv) > 1:
    variants.update(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
for name, params in variants.items():
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    real_cal = params.pop("_real", False)
    real_only = params.pop("_real_only", False)  # train on the real sentences only
    counts = {(fam, system): [0, 0, 0] for fam in FAMILIES for system in SYSTEMS}
    for _, fold in KFold(5, shuffle=True, random_state=0).split(real_idx):
        test = sorted(real_idx[fold])
        held = set(test)
        tr = [i for i in range(len(records)) if i not in held and (real[i] or not real_only)]
        clf = train([records[i] for i in tr], codebook=codebook, items=[items[i] for i in tr],
                    params={"random_state": 0, **params}, calibrate_on_real=real_cal)
        result = evaluate([records[i] for i in test], labels=labels, rule_labels=[rules[i] for i in test],
                          negated=[negated[i] for i in test], items=[items[i] for i in test], classifier=clf)
        for row in result.families:
            if (row["family"], row["system"]) in counts:
                c = counts[(row["family"], row["system"])]
                c[0] += row["tp"]; c[1] += row["fp"]; c[2] += row["fn"]
    print(name, " ".join(f"{fam}/{system}: F1 {prf(*c)['f1']:.3f} (tp {c[0]} fp {c[1]} fn {c[2]})"
                         for (fam, system), c in counts.items()), flush=True)
