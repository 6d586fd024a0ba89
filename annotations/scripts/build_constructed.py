"""Build the constructed comment sets from ``labels | text`` files.

* ``constructed.txt``    -> ``annotations/constructed/comments-v1.jsonl`` (ids ``k0001``..,
  helper-annotate-1, batch ``constructed-v1``)
* ``constructed-v2.txt`` -> ``annotations/constructed/comments-v2.jsonl`` (ids ``k2-0001``..,
  helper-annotate-2, batch ``constructed-v2``)

These comments are CONSTRUCTED in the register of the survey; they are not survey data.
Labels use short prefixes (``s:`` stoff, ``b:`` bekymring, ``t:`` tiltak); every label is
checked against the packaged codebook and an unknown one stops the build with the file and
line. Lines starting with ``#`` and blank lines are skipped. Run from the repository root.
"""

from __future__ import annotations

from pathlib import Path

from fritekst.write import write_jsonl

HERE = Path(__file__).parent
OUT_DIR = Path("annotations/constructed")
PREFIX = {"s": "stoff", "b": "bekymring", "t": "tiltak"}

# (source txt, output jsonl, id prefix, annotator, batch); ids have four digits
SETS = [
    ("constructed.txt", "comments-v1.jsonl", "k", "helper-annotate-1", "constructed-v1"),
    ("constructed-v2.txt", "comments-v2.jsonl", "k2-", "helper-annotate-2", "constructed-v2"),
]


class LabelError(ValueError):
    """A line of a constructed file has a malformed or unknown label."""


def known_label_ids() -> set[str]:
    from fritekst.codebook import load_codebook

    return {lab.id for lab in load_codebook(None).labels}


def parse_labels(field: str, where: str, known: set[str]) -> list[str]:
    ids = []
    for lab in field.split():
        prefix, sep, name = lab.partition(":")
        if not sep or prefix not in PREFIX or not name:
            raise LabelError(f"{where}: malformed label {lab!r} (expected s:/b:/t: followed by a name)")
        full = f"{PREFIX[prefix]}:{name}"
        if full not in known:
            raise LabelError(f"{where}: unknown label {full!r} (not in the codebook)")
        ids.append(full)
    if len(set(ids)) != len(ids):
        raise LabelError(f"{where}: duplicate label in {field!r}")
    return sorted(ids)


def build(src: Path, id_prefix: str, annotator: str, batch: str, known: set[str]) -> list[dict]:
    records = []
    for lineno, line in enumerate(src.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{src.name}:{lineno}"
        if "|" not in line:
            raise LabelError(f"{where}: no '|' between labels and text")
        labels, text = (part.strip() for part in line.split("|", 1))
        if not text:
            raise LabelError(f"{where}: empty text")
        records.append(
            {
                "id": f"{id_prefix}{len(records) + 1:04d}",
                "text": text,
                "labels": parse_labels(labels, where, known),
                "annotator": annotator,
                "batch": batch,
                "source": "constructed",
                "split": "train",
            }
        )
    return records


def main() -> None:
    known = known_label_ids()
    for src_name, out_name, id_prefix, annotator, batch in SETS:
        records = build(HERE / src_name, id_prefix, annotator, batch, known)
        out = OUT_DIR / out_name
        write_jsonl(out, records)
        print(f"{len(records)} constructed comments -> {out}")


if __name__ == "__main__":
    main()
