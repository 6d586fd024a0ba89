#!/usr/bin/env bash
# Retrain fritekst's Norwegian pipeline from the treebank, package it, evaluate it.
# Reproducible: fixed seed, config in training/config.cfg. About 30 minutes on 2 cores.
# Needs ../shared/data/norne (not in this repository) and, for the lemma table,
# spacy-lookups-data (pip install spacy-lookups-data; only needed here).
# NORNE, WORK (training output folder) and OUT (packaged pipeline) can be overridden.
set -euo pipefail
cd "$(dirname "$0")/.."
NORNE=${NORNE:-../shared/data/norne}
WORK=${WORK:-training/output}
OUT=${OUT:-models/nb_fritekst}
python training/convert.py --norne "$NORNE" --out training/corpus
python -m spacy train training/config.cfg --output "$WORK" --system.seed 0
python training/package.py "$WORK/model-best" "$OUT"
python training/evaluate.py "$OUT" --norne "$NORNE" --json "$WORK/scores.json" --update-meta
