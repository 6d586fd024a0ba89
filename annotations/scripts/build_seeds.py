"""Build annotations/real/seeds.jsonl from the seed documents and labels_seed.txt.

Run from the repository root: ``python annotations/scripts/build_seeds.py [SEEDS_DIR]``.
Sentences are split here; ``labels_seed.txt`` holds the labels
given by annotator helper-annotate-1 (``x`` = not about the field, left out). Sentences
that the splitter dropped for being short (list items such as "Utdeling av Nalokson")
are listed there with their text. The split is by sentence, seeded by the sentence id:
sha256(id) mod 100 < 30 -> heldout, else train.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
PREFIX = {"s": "stoff", "b": "bekymring", "t": "tiltak"}


def sentences(seeds: Path) -> dict[str, tuple[str, str]]:
    out = {}
    for f in sorted(seeds.glob("*.txt")):
        doc, k = f.name[:3], 0
        for line in f.read_text(encoding="utf-8").split("\n"):
            line = line.strip()
            line = re.sub(r"^[-•]\s*", "", line)
            line = re.sub(r"^[a-z]\.\s+", "", line)
            line = re.sub(r"^\d+\.\s+", "", line)
            if len(line.split()) < 4:
                continue
            for s in re.split(r'(?<=[.!?])\s+(?=[A-ZÆØÅ«"])', line):
                s = s.strip()
                if len(s.split()) < 4:
                    continue
                k += 1
                out[f"seed{doc}-{k:03d}"] = (f.name, s)
    return out


def split_of(sid: str) -> str:
    return "heldout" if int(hashlib.sha256(sid.encode()).hexdigest(), 16) % 100 < 30 else "train"


def main() -> None:
    seeds = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/seeds")
    sents = sentences(seeds)
    names = {f.name[:3]: f.name for f in seeds.glob("*.txt")}
    records = []
    for line in (HERE / "labels_seed.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, labels = line.split(":", 1)[0], line.split(":", 1)[1]
        m = re.match(r"^(\d{3})-(X\d\d) (.*)$", key)
        if m:  # a short item with its text: "003-X02 God informasjon: t:informasjon"
            head, rest = line.split(": ", 1) if ": " in line else (line.rstrip(":"), "")
            m = re.match(r"^(\d{3})-(X\d\d) (.*)$", head)
            sid, source, text, labels = f"seed{m.group(1)}-{m.group(2)}", names[m.group(1)], m.group(3), rest
        else:
            sid = f"seed{key}"
            source, text = sents[sid]
        labels = labels.strip()
        if labels == "x":
            continue
        ids = sorted(f"{PREFIX[p]}:{name}" for p, name in (lab.split(":") for lab in labels.split()))
        records.append(
            {
                "id": sid,
                "text": text,
                "labels": ids,
                "annotator": "helper-annotate-1",
                "batch": "seeds-v1",
                "source": source,
                "split": split_of(sid),
            }
        )
    out = Path("annotations/real/seeds.jsonl")
    with open(out, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{len(records)} sentences -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
