"""How many person names does fritekst's redaction hide? Measured on the UD Bokmål treebank.

Runs ``fritekst.redact.Redactor`` (NER + name rules, as for the report's quotes) over every
sentence of a UD split and prints: the gold PER entities (NorNE) whose every non-space
character lies inside a ``[NAVN]`` redaction (recall; a name half hidden still leaks), and
the ``[NAVN]`` redactions that touch no gold PER entity (over-redaction: other entity types,
common words). News text, not survey comments, but the only text here with gold names.

Usage: python training/evaluate_redaction.py [PIPELINE] [--split dev|test] [--norne ../shared/data/norne]
PIPELINE is a ``--base`` name or path (default: the shipped pipeline).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fritekst.nlp.base import load_base
from fritekst.redact import Redactor

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from convert import NORNE_DEFAULT, read_ud, ud_docs  # noqa: E402


def evaluate(pipeline: str, norne: Path, split: str) -> dict[str, int]:
    nlp = load_base(pipeline)
    gold = list(ud_docs(nlp.vocab, read_ud(norne, split)))
    counts = {"gold_names": 0, "hidden": 0, "partly_hidden": 0, "redactions": 0, "redactions_off_names": 0}
    redactor = Redactor(nlp)
    for doc, result in zip(gold, redactor.redact_many(d.text for d in gold)):
        names = [e for e in doc.ents if e.label_ == "PER"]
        covered: set[int] = set()
        for r in result.redactions:
            if r.kind != "NAVN":
                continue
            counts["redactions"] += 1
            covered.update(range(r.start, r.end))
            counts["redactions_off_names"] += not any(e.start_char < r.end and r.start < e.end_char for e in names)
        for e in names:
            chars = [i for i in range(e.start_char, e.end_char) if not doc.text[i].isspace()]
            inside = sum(i in covered for i in chars)
            counts["gold_names"] += 1
            counts["hidden"] += inside == len(chars)
            counts["partly_hidden"] += 0 < inside < len(chars)
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pipeline", nargs="?", default="auto")
    ap.add_argument("--norne", type=Path, default=NORNE_DEFAULT)
    ap.add_argument("--split", choices=["dev", "test"], default="dev")
    args = ap.parse_args()
    c = evaluate(args.pipeline, args.norne, args.split)
    print(f"UD {args.split}: {c['gold_names']} person names; hidden {c['hidden']} "
          f"({c['hidden'] / c['gold_names']:.1%}), partly hidden {c['partly_hidden']}")
    print(f"[NAVN] redactions {c['redactions']}, touching no person name {c['redactions_off_names']} "
          f"({c['redactions_off_names'] / max(c['redactions'], 1):.1%})")


if __name__ == "__main__":
    main()
