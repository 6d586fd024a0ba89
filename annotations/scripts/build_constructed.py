"""Build annotations/constructed/comments-v1.jsonl from constructed.txt (``labels | text``).

These comments are CONSTRUCTED by helper-annotate-1 in the register of the survey; they
are not survey data. Run from the repository root.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
PREFIX = {"s": "stoff", "b": "bekymring", "t": "tiltak"}


def main() -> None:
    records = []
    for line in (HERE / "constructed.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        labels, text = (part.strip() for part in line.split("|", 1))
        ids = sorted(f"{PREFIX[p]}:{name}" for p, name in (lab.split(":") for lab in labels.split()))
        records.append(
            {
                "id": f"k{len(records) + 1:04d}",
                "text": text,
                "labels": ids,
                "annotator": "helper-annotate-1",
                "batch": "constructed-v1",
                "source": "constructed",
                "split": "train",
            }
        )
    out = Path("annotations/constructed/comments-v1.jsonl")
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    print(f"{len(records)} constructed comments -> {out}")


if __name__ == "__main__":
    main()
