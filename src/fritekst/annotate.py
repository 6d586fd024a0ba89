"""The annotation loop: export a batch for annotators, import their corrections.

Export
    Tagged comments (``TaggedRecord``) are selected (``random``, ``uncertain`` or
    ``balanced``, with a guard against near-duplicates) and written either as an Excel
    workbook or as JSONL in Prodigy's choice/textcat shape.

    The workbook has a sheet ``kommentarer`` with one row per comment: ``id``, ``text``,
    week/region/question, one 0/1 column per codebook label (pre-filled with the current
    suggestions, Excel data validation allows only 0 or 1), ``annotator`` and ``merknad``
    (a free note), and a hidden ``text_sha1`` column that detects edited texts. The sheet
    ``kodebok`` lists the labels with family, Norwegian name and description; the sheet
    ``metadata`` holds the batch id and the codebook version and hash.

    The JSONL has one task per line: ``{"text", "meta": {"id", "batch", ...}, "options",
    "accept", "answer"}``; ``accept`` holds the suggested label ids.

Import
    A corrected batch is validated against the codebook (unknown label, missing or
    unknown id, changed text, a cell that is not 0/1: an ``AnnotationError`` naming the
    row and value) and then appended, all or nothing, to an annotation store (a JSONL
    file in ``annotations/``), one record per comment and annotator::

        {"id", "text", "labels", "annotator", "batch", "source"}

    Importing the same batch again changes nothing. A different annotation of the same
    comment by the same annotator is refused unless ``replace=True``; then the earlier
    record stays in the store marked ``"status": "superseded"`` (history is kept).
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment as CellComment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from fritekst.errors import AnnotationError
from fritekst.records import TaggedRecord
from fritekst.write import atomic_path, write_jsonl

SHEET = "kommentarer"
CODEBOOK_SHEET = "kodebok"
META_SHEET = "metadata"
FIXED_COLUMNS = ("id", "text", "week", "region", "question")
TAIL_COLUMNS = ("annotator", "merknad", "text_sha1")
STRATEGIES = ("random", "uncertain", "balanced")
NO_LABEL = "(ingen)"


def text_sha1(text: str) -> str:
    """Short fingerprint of a comment text, used to detect edited texts."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def batch_id_for(ids: Sequence[str]) -> str:
    """A stable batch id from the comment ids: ``batch-<10 hex>``."""
    return "batch-" + hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()[:10]


# -- selection -------------------------------------------------------------------------


def _items(records: Sequence[TaggedRecord]) -> list[dict[str, Any]]:
    """Classifier items from tagged records (no lemmas here: lower-case tokens are used)."""
    from fritekst.classify import rule_labels_of

    items = []
    for r in records:
        rule = rule_labels_of(r)  # rule hits a classifier vetoed included
        items.append({"text": r.text, "lemmas": [], "rule_labels": rule})
    return items


def uncertainty(records: Sequence[TaggedRecord], classifier: Any = None) -> list[float]:
    """How uncertain the current suggestions are, per record (higher = more uncertain).

    With a classifier: ``1 - min over labels of |p - threshold|`` (the probability closest
    to its threshold). Without: the number of labels on which rules and model disagree
    (asserted by only one of them) plus labels that occur only negated.
    """
    if classifier is not None and records:
        probs = classifier.predict_proba(_items(records))
        th = classifier.thresholds_
        return [1.0 - min(abs(p[lab] - th.get(lab, 0.5)) for lab in p) for p in probs]
    scores = []
    for r in records:
        single = sum(1 for s in r.sources.values() if s.source in ("rule", "model"))
        has_model = any("model" in s.source for s in r.sources.values())
        scores.append(float((single if has_model else 0) + len(r.negated)))
    return scores


def _diverse(order: Iterable[int], texts: Sequence[str], n: int, max_similarity: float) -> list[int]:
    """Take indices in ``order`` until ``n``, skipping near-duplicates of those taken.

    Near-duplicate: cosine similarity of character 3-5-gram TF-IDF vectors at or above
    ``max_similarity`` (1.0 disables the guard). ``order`` holds each index once.
    """
    guard = max_similarity < 1.0 and len(texts) >= 2
    vectors = None
    if guard:
        vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True).fit_transform(texts)
    taken: list[int] = []
    for i in order:
        if len(taken) == n:
            break
        if guard and taken and cosine_similarity(vectors[i], vectors[taken]).max() >= max_similarity:
            continue
        taken.append(i)
    return taken


def select(
    records: Sequence[TaggedRecord],
    n: int,
    strategy: str = "random",
    *,
    classifier: Any = None,
    seed: int = 0,
    max_similarity: float = 0.8,
) -> list[TaggedRecord]:
    """Choose ``n`` records to annotate.

    ``random``: a seeded shuffle. ``uncertain``: most uncertain first (see
    ``uncertainty``). ``balanced``: round robin over the suggested labels (and comments
    without any), so rare labels get their share. All strategies skip near-duplicates
    of comments already chosen.
    """
    if strategy not in STRATEGIES:
        raise AnnotationError(f"unknown selection strategy {strategy!r} (choose from {', '.join(STRATEGIES)})")
    records = list(records)
    rng = random.Random(seed)
    order = list(range(len(records)))
    rng.shuffle(order)
    if strategy == "uncertain":
        scores = uncertainty(records, classifier)
        order.sort(key=lambda i: -scores[i])  # stable: ties stay shuffled
    elif strategy == "balanced":
        suggested = [set(r.labels) for r in records]
        if classifier is not None and records:
            for s, labs in zip(suggested, classifier.predict(_items(records))):
                s.update(labs)
        queues: dict[str, list[int]] = {}
        for i in order:
            for lab in sorted(suggested[i]) or [NO_LABEL]:
                queues.setdefault(lab, []).append(i)
        interleaved: list[int] = []
        seen: set[int] = set()
        depth = max((len(q) for q in queues.values()), default=0)
        for k in range(depth):
            for lab in sorted(queues):
                q = queues[lab]
                if k < len(q) and q[k] not in seen:
                    seen.add(q[k])
                    interleaved.append(q[k])
        order = interleaved
    picked = _diverse(order, [r.text for r in records], n, max_similarity)
    return [records[i] for i in picked]


# -- export ----------------------------------------------------------------------------


@dataclass
class ExportResult:
    """What ``export_batch`` wrote."""

    path: Path
    batch: str
    n: int
    strategy: str


def _label_ids(codebook: Any) -> list[str]:
    return [lab.id for lab in codebook.labels]


def export_batch(
    records: Sequence[TaggedRecord],
    path: str | Path,
    *,
    codebook: Any,
    batch: str | None = None,
    strategy: str = "random",
) -> ExportResult:
    """Write ``records`` (already selected) as a batch: ``.xlsx`` or ``.jsonl`` by suffix."""
    path = Path(path)
    records = list(records)
    if not records:
        raise AnnotationError(f"{path}: nothing to export (no comments selected)")
    batch = batch or batch_id_for([r.id for r in records])
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _export_xlsx(records, path, codebook, batch, strategy)
    elif suffix == ".jsonl":
        _export_jsonl(records, path, codebook, batch)
    else:
        raise AnnotationError(f"{path}: batch must be .xlsx or .jsonl, not {suffix or 'no suffix'!r}")
    return ExportResult(path=path, batch=batch, n=len(records), strategy=strategy)


def _export_xlsx(records: list[TaggedRecord], path: Path, codebook: Any, batch: str, strategy: str) -> None:
    labels = _label_ids(codebook)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    header = [*FIXED_COLUMNS, *labels, *TAIL_COLUMNS]
    ws.append(header)
    for r in records:
        ws.append(
            [r.id, r.text, r.week, r.region, r.question]
            + [int(lab in r.labels) for lab in labels]
            + ["", "", text_sha1(r.text)]
        )
    first, last = len(FIXED_COLUMNS) + 1, len(FIXED_COLUMNS) + len(labels)
    dv = DataValidation(type="whole", operator="between", formula1="0", formula2="1", allow_blank=True)
    dv.error = "Skriv 1 (har etiketten) eller 0 (har den ikke)."
    dv.errorTitle = "Bare 0 eller 1"
    dv.showErrorMessage = True
    ws.add_data_validation(dv)
    dv.add(f"{get_column_letter(first)}2:{get_column_letter(last)}{len(records) + 1}")
    for j, lab in enumerate(labels, start=first):
        ws.cell(row=1, column=j).comment = CellComment(f"{codebook.label(lab).name}: {codebook.label(lab).description}", "fritekst")
    ws.column_dimensions["B"].width = 80
    ws.column_dimensions[get_column_letter(len(header))].hidden = True
    ws.freeze_panes = "C2"
    cb = wb.create_sheet(CODEBOOK_SHEET)
    cb.append(["id", "familie", "navn", "beskrivelse"])
    for lab in codebook.labels:
        cb.append([lab.id, codebook.families.get(lab.family, lab.family), lab.name, lab.description])
    meta = wb.create_sheet(META_SHEET)
    for key, value in _batch_meta(codebook, batch, strategy, len(records)).items():
        meta.append([key, value])
    with atomic_path(path) as tmp:
        wb.save(tmp)


def _batch_meta(codebook: Any, batch: str, strategy: str, n: int) -> dict[str, Any]:
    return {
        "batch": batch,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "strategy": strategy,
        "n": n,
        "codebook_version": str(codebook.version),
        "codebook_sha256": codebook.sha256,
    }


def _export_jsonl(records: list[TaggedRecord], path: Path, codebook: Any, batch: str) -> None:
    options = [{"id": lab.id, "text": lab.name} for lab in codebook.labels]
    write_jsonl(
        path,
        (
            {
                "text": r.text,
                "meta": {
                    "id": r.id,
                    "batch": batch,
                    "week": r.week,
                    "region": r.region,
                    "question": r.question,
                    "text_sha1": text_sha1(r.text),
                },
                "options": options,
                "accept": sorted(r.labels),
                "answer": "accept",
            }
            for r in records
        ),
    )


# -- reading a corrected batch ---------------------------------------------------------


@dataclass
class BatchRow:
    """One validated row of a corrected batch."""

    row: int  # sheet row or JSONL line, for messages
    id: str
    text: str
    labels: list[str]
    annotator: str | None = None


@dataclass
class Batch:
    """A validated corrected batch."""

    path: Path
    batch: str
    rows: list[BatchRow] = field(default_factory=list)
    skipped: int = 0  # Prodigy tasks answered "reject" or "ignore"


def _cell_flag(value: Any, where: str) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return int(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return int(value.strip())
    raise AnnotationError(f"{where}: value {value!r} is not 0 or 1")


def read_batch(path: str | Path, *, codebook: Any) -> Batch:
    """Read and validate a corrected batch (``.xlsx`` or ``.jsonl``)."""
    path = Path(path)
    if not path.exists():
        raise AnnotationError(f"{path}: no such file")
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path, codebook)
    if path.suffix.lower() == ".jsonl":
        return _read_jsonl(path, codebook)
    raise AnnotationError(f"{path}: batch must be .xlsx or .jsonl")


def _read_xlsx(path: Path, codebook: Any) -> Batch:
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds
        raise AnnotationError(f"{path}: cannot read workbook: {err}") from None
    if SHEET not in wb.sheetnames:
        raise AnnotationError(f"{path}: sheet {SHEET!r} is missing")
    meta = {}
    if META_SHEET in wb.sheetnames:
        meta = {str(k): v for k, v, *_ in wb[META_SHEET].iter_rows(values_only=True) if k is not None}
    rows = wb[SHEET].iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    for col in ("id", "text"):
        if col not in header:
            raise AnnotationError(f"{path}: sheet {SHEET!r}: column {col!r} is missing")
    known = set(_label_ids(codebook))
    label_cols: list[tuple[int, str]] = []
    for j, h in enumerate(header):
        if ":" in h:
            if h not in known:
                raise AnnotationError(f"{path}: row 1, column {get_column_letter(j + 1)}: unknown label {h!r}")
            label_cols.append((j, h))
    idx = {h: j for j, h in enumerate(header)}
    batch = Batch(path=path, batch=str(meta.get("batch") or batch_id_for([])))
    seen: dict[str, int] = {}
    for r, values in enumerate(rows, start=2):
        values = list(values) + [None] * (len(header) - len(values))
        if all(v is None or v == "" for v in values):
            continue
        rid = values[idx["id"]]
        if rid is None or str(rid).strip() == "":
            raise AnnotationError(f"{path}: row {r}: missing id")
        rid = str(rid).strip()
        if rid in seen:
            raise AnnotationError(f"{path}: row {r}: id {rid!r} occurs twice (also row {seen[rid]})")
        seen[rid] = r
        text = "" if values[idx["text"]] is None else str(values[idx["text"]])
        if "text_sha1" in idx and values[idx["text_sha1"]] and text_sha1(text) != str(values[idx["text_sha1"]]):
            raise AnnotationError(f"{path}: row {r}: the text of comment {rid!r} was changed")
        labels = [
            lab
            for j, lab in label_cols
            if _cell_flag(values[j], f"{path}: row {r}, column {lab}")
        ]
        who = values[idx["annotator"]] if "annotator" in idx else None
        batch.rows.append(BatchRow(r, rid, text, labels, str(who).strip() if who not in (None, "") else None))
    if not batch.rows:
        raise AnnotationError(f"{path}: sheet {SHEET!r} has no comments")
    if not meta.get("batch"):
        batch.batch = batch_id_for([row.id for row in batch.rows])
    return batch


def _json_lines(path: Path, *, encoding: str) -> Iterator[tuple[int, Any]]:
    """``(line number, parsed JSON)`` for the non-blank lines of a JSONL file."""
    with open(path, encoding=encoding) as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise AnnotationError(f"{path}: line {n}: invalid JSON ({err.msg})") from None
            yield n, obj


def _read_jsonl(path: Path, codebook: Any) -> Batch:
    known = set(_label_ids(codebook))
    batch_ids: set[str] = set()
    batch = Batch(path=path, batch="")
    seen: dict[str, int] = {}
    for n, task in _json_lines(path, encoding="utf-8-sig"):
        meta = task.get("meta") or {}
        rid = meta.get("id", task.get("id"))
        if rid is None or str(rid).strip() == "":
            raise AnnotationError(f"{path}: line {n}: missing id (meta.id)")
        rid = str(rid)
        if rid in seen:
            raise AnnotationError(f"{path}: line {n}: id {rid!r} occurs twice (also line {seen[rid]})")
        seen[rid] = n
        text = str(task.get("text", ""))
        if meta.get("text_sha1") and text_sha1(text) != meta["text_sha1"]:
            raise AnnotationError(f"{path}: line {n}: the text of comment {rid!r} was changed")
        if meta.get("batch"):
            batch_ids.add(str(meta["batch"]))
        answer = task.get("answer", "accept")
        if answer not in ("accept", "reject", "ignore"):
            raise AnnotationError(f"{path}: line {n}: unknown answer {answer!r}")
        if answer != "accept":
            batch.skipped += 1
            continue
        accept = task.get("accept") or []
        for lab in accept:
            if lab not in known:
                raise AnnotationError(f"{path}: line {n}: unknown label {lab!r}")
        who = task.get("_annotator_id") or task.get("annotator")
        batch.rows.append(BatchRow(n, rid, text, sorted(set(accept)), str(who) if who else None))
    if len(batch_ids) > 1:
        raise AnnotationError(f"{path}: tasks from more than one batch: {', '.join(sorted(batch_ids))}")
    batch.batch = batch_ids.pop() if batch_ids else batch_id_for([row.id for row in batch.rows])
    return batch


# -- the annotation store --------------------------------------------------------------


def read_annotations(path: str | Path) -> Iterator[dict[str, Any]]:
    """Annotation records from a JSONL file or every ``*.jsonl`` under a folder."""
    path = Path(path)
    files = sorted(path.rglob("*.jsonl")) if path.is_dir() else [path]
    for file in files:
        for n, rec in _json_lines(file, encoding="utf-8"):
            for key in ("id", "text", "labels", "annotator"):
                if key not in rec:
                    raise AnnotationError(f"{file}: line {n}: missing field {key!r}")
            yield rec


@dataclass
class ImportResult:
    """What ``import_batch`` did."""

    store: Path
    batch: str
    annotator: str
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    skipped: int = 0


def import_batch(
    path: str | Path,
    store: str | Path,
    *,
    codebook: Any,
    annotator: str | None = None,
    replace: bool = False,
) -> ImportResult:
    """Validate a corrected batch and append it to the annotation store ``store``.

    The annotator comes from ``annotator`` or, if not given, the batch's ``annotator``
    column (one name throughout). Nothing is written unless the whole batch validates.
    """
    batch = read_batch(path, codebook=codebook)
    names = {row.annotator for row in batch.rows if row.annotator}
    if annotator is None:
        if len(names) != 1:
            found = ", ".join(sorted(names)) or "none"
            raise AnnotationError(f"{batch.path}: give the annotator's name (names in the batch: {found})")
        annotator = names.pop()
    else:
        for row in batch.rows:
            if row.annotator and row.annotator != annotator:
                raise AnnotationError(
                    f"{batch.path}: row {row.row}: annotator {row.annotator!r} differs from {annotator!r}"
                )
    annotator = annotator.strip()
    if not annotator:
        raise AnnotationError(f"{batch.path}: the annotator's name is empty")
    store = Path(store)
    existing = list(read_annotations(store)) if store.exists() else []
    current = {
        (str(rec["id"]), str(rec["annotator"])): k
        for k, rec in enumerate(existing)
        if rec.get("status") != "superseded"
    }
    result = ImportResult(store=store, batch=batch.batch, annotator=annotator, skipped=batch.skipped)
    new: list[dict[str, Any]] = []
    for row in batch.rows:
        record = {
            "id": row.id,
            "text": row.text,
            "labels": sorted(row.labels),
            "annotator": annotator,
            "batch": batch.batch,
            "source": batch.path.name,
        }
        k = current.get((row.id, annotator))
        if k is not None:
            old = existing[k]
            if old.get("text") != row.text:
                raise AnnotationError(
                    f"{batch.path}: row {row.row}: comment {row.id!r} has another text than in {store}"
                )
            if sorted(old.get("labels") or []) == record["labels"]:
                result.unchanged += 1
                continue
            if not replace:
                raise AnnotationError(
                    f"{batch.path}: row {row.row}: comment {row.id!r} was already annotated by {annotator!r} "
                    f"(batch {old.get('batch')!r}) with other labels; use --replace to replace it (history is kept)"
                )
            existing[k] = {**old, "status": "superseded", "superseded_by": batch.batch}
            result.replaced += 1
        else:
            result.added += 1
        new.append(record)
    if new or result.replaced:
        write_jsonl(store, [*existing, *new])
    return result
