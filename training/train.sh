#!/usr/bin/env bash
# Retrain fritekst's Norwegian pipeline from the treebank, package it, evaluate it.
# Reproducible: fixed seed, config in training/config.cfg. ~30-45 minutes on 2 cores.
# Needs ../shared/data/norne (not in this repository) and, for the lemma table,
# spacy-lookups-data (pip install spacy-lookups-data; only needed here).
set -euo pipefail
cd "$(dirname "$0")/.."
NORNE=${NORNE:-../shared/data/norne}
python training/convert.py --norne "$NORNE" --out training/corpus
python -m spacy train training/config.cfg --output training/output --system.seed 0
python training/package.py training/output/model-best models/nb_fritekst
python training/evaluate.py models/nb_fritekst --norne "$NORNE" --json training/output/scores.json
python training/package.py training/output/model-best models/nb_fritekst --scores training/output/scores.json
