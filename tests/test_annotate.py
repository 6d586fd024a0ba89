"""Annotation round trip: export a batch, edit it as an annotator would, import, re-import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from fritekst.annotate import (
    SHEET,
    export_batch,
    import_batch,
    read_annotations,
    select,
)
from fritekst.cli import main
from fritekst.codebook import load_codebook
from fritekst.errors import AnnotationError
from fritekst.records import LabelSource, TaggedRecord

COMMENTS = [
    ("c1", "Flere brukere melder om at de er ensomme og isolerer seg.", ("bekymring:ensomhet",)),
    ("c2", "Vi deler ut matpakker og rent brukerutstyr i døra.", ("tiltak:brukerutstyr", "tiltak:mat")),
    ("c3", "Lite eller ingen kontakt med hjelpeapparatet.", ()),
    ("c4", "Dagsenteret måtte stenge dørene i mars.", ()),
    ("c5", "Det er tørke på hasj, og prisene har økt.", ("bekymring:tilgang_rusmidler", "stoff:cannabis")),
    ("c6", "Vi ringer brukerne hver dag.", ()),
]


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def _records() -> list[TaggedRecord]:
    return [
        TaggedRecord(id=i, text=t, week="2020-W28", labels=tuple(sorted(labs)),
                     sources={lab: LabelSource("rule") for lab in labs})
        for i, t, labs in COMMENTS
    ]


def _header(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1]}


def _annotate_xlsx(path: Path, edits: dict[str, dict[str, int]], annotator: str | None = "kari") -> None:
    """Open the batch like an annotator: set label cells and the annotator column."""
    wb = load_workbook(path)
    ws = wb[SHEET]
    col = _header(ws)
    for row in range(2, ws.max_row + 1):
        cid = ws.cell(row=row, column=col["id"]).value
        for label, value in edits.get(cid, {}).items():
            ws.cell(row=row, column=col[label]).value = value
        if annotator:
            ws.cell(row=row, column=col["annotator"]).value = annotator
    wb.save(path)


def test_export_xlsx_layout(tmp_path: Path, codebook) -> None:
    batch = tmp_path / "batch.xlsx"
    result = export_batch(_records(), batch, codebook=codebook, strategy="random")
    assert result.n == 6 and result.batch.startswith("batch-")
    wb = load_workbook(batch)
    assert wb.sheetnames == ["kommentarer", "kodebok", "metadata"]
    ws = wb[SHEET]
    col = _header(ws)
    assert list(col)[:5] == ["id", "text", "week", "region", "question"]
    assert all(lab.id in col for lab in codebook.labels)
    # suggestions pre-filled as 0/1
    assert ws.cell(row=3, column=col["tiltak:mat"]).value == 1
    assert ws.cell(row=3, column=col["bekymring:ensomhet"]).value == 0
    # data validation covers the label cells and allows only 0..1
    dv = ws.data_validations.dataValidation[0]
    assert dv.type == "whole" and (dv.formula1, dv.formula2) == ("0", "1")
    codebook_rows = list(wb["kodebok"].iter_rows(values_only=True))
    assert codebook_rows[0] == ("id", "familie", "navn", "beskrivelse")
    assert len(codebook_rows) == len(codebook.labels) + 1
    meta = dict(wb["metadata"].iter_rows(values_only=True))
    assert meta["batch"] == result.batch and meta["codebook_sha256"] == codebook.sha256


def test_round_trip_import_and_reimport_is_noop(tmp_path: Path, codebook) -> None:
    batch, store = tmp_path / "batch.xlsx", tmp_path / "annotations" / "store.jsonl"
    export_batch(_records(), batch, codebook=codebook)
    _annotate_xlsx(batch, {"c3": {"bekymring:tilgang_hjelp": 1}, "c4": {"bekymring:tilgang_hjelp": 1},
                           "c6": {"tiltak:digital_oppfolging": 1}, "c2": {"tiltak:mat": 0}})
    first = import_batch(batch, store, codebook=codebook)
    assert (first.added, first.unchanged, first.annotator) == (6, 0, "kari")
    stored = {r["id"]: r for r in read_annotations(store)}
    assert stored["c3"]["labels"] == ["bekymring:tilgang_hjelp"]
    assert stored["c2"]["labels"] == ["tiltak:brukerutstyr"]
    assert stored["c6"] == {"id": "c6", "text": "Vi ringer brukerne hver dag.", "labels": ["tiltak:digital_oppfolging"],
                            "annotator": "kari", "batch": first.batch, "source": "batch.xlsx"}
    before = store.read_bytes()
    again = import_batch(batch, store, codebook=codebook)
    assert (again.added, again.unchanged, again.replaced) == (0, 6, 0)
    assert store.read_bytes() == before
    # a second annotator adds records, the first one's stay
    _annotate_xlsx(batch, {}, annotator="ola")
    other = import_batch(batch, store, codebook=codebook)
    assert other.added == 6
    assert len(list(read_annotations(store))) == 12


def test_changed_reannotation_needs_replace_and_keeps_history(tmp_path: Path, codebook) -> None:
    batch, store = tmp_path / "batch.xlsx", tmp_path / "store.jsonl"
    export_batch(_records(), batch, codebook=codebook)
    _annotate_xlsx(batch, {})
    import_batch(batch, store, codebook=codebook)
    before = store.read_bytes()
    _annotate_xlsx(batch, {"c4": {"bekymring:tilgang_hjelp": 1}})
    with pytest.raises(AnnotationError, match=r"row 5: comment 'c4' was already annotated by 'kari'.*--replace"):
        import_batch(batch, store, codebook=codebook)
    assert store.read_bytes() == before  # nothing written
    result = import_batch(batch, store, codebook=codebook, replace=True)
    assert (result.replaced, result.unchanged) == (1, 5)
    c4 = [r for r in read_annotations(store) if r["id"] == "c4"]
    assert [(r.get("status"), r["labels"]) for r in c4] == [
        ("superseded", []),
        (None, ["bekymring:tilgang_hjelp"]),
    ]


def _set_cell(path: Path, row: int, column: str, value) -> None:
    wb = load_workbook(path)
    ws = wb[SHEET]
    ws.cell(row=row, column=_header(ws)[column]).value = value
    wb.save(path)


def _rename_header(path: Path, old: str, new: str) -> None:
    wb = load_workbook(path)
    ws = wb[SHEET]
    ws.cell(row=1, column=_header(ws)[old]).value = new
    wb.save(path)


@pytest.mark.parametrize(
    "edit,message",
    [
        (lambda p: _set_cell(p, 3, "id", None), r"row 3: missing id"),
        (lambda p: _set_cell(p, 4, "text", "Lite kontakt med hjelpeapparatet."), r"row 4: the text of comment 'c3' was changed"),
        (lambda p: _set_cell(p, 2, "tiltak:mat", "ja"), r"row 2, column tiltak:mat: value 'ja' is not 0 or 1"),
        (lambda p: _rename_header(p, "tiltak:mat", "tiltak:middag"), r"column .*: unknown label 'tiltak:middag'"),
        (lambda p: _set_cell(p, 3, "id", "c1"), r"row 3: id 'c1' occurs twice \(also row 2\)"),
    ],
)
def test_rejected_batch_names_row_and_value(tmp_path: Path, codebook, edit, message: str) -> None:
    batch, store = tmp_path / "batch.xlsx", tmp_path / "store.jsonl"
    export_batch(_records(), batch, codebook=codebook)
    _annotate_xlsx(batch, {})
    edit(batch)
    with pytest.raises(AnnotationError, match=message):
        import_batch(batch, store, codebook=codebook)
    assert not store.exists()


def test_import_needs_an_annotator(tmp_path: Path, codebook) -> None:
    batch = tmp_path / "batch.xlsx"
    export_batch(_records(), batch, codebook=codebook)
    with pytest.raises(AnnotationError, match="give the annotator's name"):
        import_batch(batch, tmp_path / "s.jsonl", codebook=codebook)
    assert import_batch(batch, tmp_path / "s.jsonl", codebook=codebook, annotator="per").added == 6


def test_prodigy_jsonl_round_trip(tmp_path: Path, codebook) -> None:
    batch, store = tmp_path / "batch.jsonl", tmp_path / "store.jsonl"
    export_batch(_records(), batch, codebook=codebook)
    tasks = [json.loads(line) for line in batch.read_text(encoding="utf-8").splitlines()]
    assert set(tasks[0]) == {"text", "meta", "options", "accept", "answer"}
    assert tasks[1]["accept"] == ["tiltak:brukerutstyr", "tiltak:mat"]
    assert tasks[1]["meta"]["id"] == "c2"
    tasks[2]["accept"] = ["bekymring:tilgang_hjelp"]
    tasks[5]["answer"] = "ignore"
    batch.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), encoding="utf-8")
    result = import_batch(batch, store, codebook=codebook, annotator="kari")
    assert (result.added, result.skipped) == (5, 1)
    assert {r["id"]: r["labels"] for r in read_annotations(store)}["c3"] == ["bekymring:tilgang_hjelp"]
    tasks[0]["accept"] = ["bekymring:kjedsomhet"]
    batch.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"line 1: unknown label 'bekymring:kjedsomhet'"):
        import_batch(batch, store, codebook=codebook, annotator="kari")


NEAR_DUPLICATES = [
    "Mange brukere er ensomme og isolerer seg hjemme.",
    "Mange brukere er ensomme og isolerer seg hjemme!",
    "Mange brukere er ensomme, og isolerer seg hjemme.",
    "Vi deler ut matpakker hver dag.",
    "Sprøyter og kanyler leveres hjem til brukerne.",
]


@pytest.mark.parametrize("strategy", ["random", "uncertain", "balanced"])
def test_selection_skips_near_duplicates(strategy: str) -> None:
    records = [TaggedRecord(id=f"d{i}", text=t) for i, t in enumerate(NEAR_DUPLICATES)]
    chosen = select(records, 5, strategy, seed=1)
    texts = [r.text for r in chosen]
    assert len(texts) == 3  # only one of the three near-duplicates
    assert sum(t.startswith("Mange brukere") for t in texts) == 1
    assert len(select(records, 5, strategy, seed=1, max_similarity=1.0)) == 5


def test_balanced_selection_reaches_rare_labels() -> None:
    common = [TaggedRecord(id=f"m{i}", text=f"Vi har delt ut mat til {i} brukere i uke {i}.", labels=("tiltak:mat",))
              for i in range(30)]
    rare = [TaggedRecord(id="r1", text="Flere bor i telt i skogen.", labels=("bekymring:bolig",))]
    records = common + rare
    assert "r1" in [r.id for r in select(records, 3, "balanced", seed=0, max_similarity=1.0)]
    # random with this seed misses it: balanced is not luck
    assert "r1" not in [r.id for r in select(records, 3, "random", seed=0, max_similarity=1.0)]


def test_uncertain_prefers_rule_model_disagreement() -> None:
    records = [
        TaggedRecord(id="a", text="Ingen endring.", labels=()),
        TaggedRecord(id="b", text="Vi ringer brukerne.", labels=("tiltak:digital_oppfolging",),
                     sources={"tiltak:digital_oppfolging": LabelSource("model", 0.52)}),
        TaggedRecord(id="c", text="Vi deler ut mat.", labels=("tiltak:mat",),
                     sources={"tiltak:mat": LabelSource("rule+model", 0.97)}),
    ]
    assert select(records, 1, "uncertain")[0].id == "b"


def test_unknown_strategy_is_an_error() -> None:
    with pytest.raises(AnnotationError, match="unknown selection strategy 'smart'"):
        select([], 1, "smart")


def test_cli_export_import(tmp_path: Path) -> None:
    tagged = tmp_path / "tagged.jsonl"
    tagged.write_text("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in _records()), encoding="utf-8")
    runner = CliRunner()
    batch, store = tmp_path / "b.xlsx", tmp_path / "store.jsonl"
    res = runner.invoke(main, ["annotate", "export", str(tagged), "-o", str(batch), "-n", "4", "--strategy", "balanced"])
    assert res.exit_code == 0, res.output
    assert "Exported 4 comments" in res.output and batch.exists()
    res = runner.invoke(main, ["annotate", "import", str(batch), "--annotator", "kari", "--store", str(store)])
    assert res.exit_code == 0, res.output
    assert "4 added, 0 replaced, 0 unchanged" in res.output
    res = runner.invoke(main, ["annotate", "import", str(batch), "--annotator", "kari", "--store", str(store)])
    assert "0 added, 0 replaced, 4 unchanged" in res.output
    _set_cell(batch, 2, "id", None)
    res = runner.invoke(main, ["annotate", "import", str(batch), "--annotator", "kari", "--store", str(store)])
    assert res.exit_code == 1
    assert res.output.startswith("Error: ") and "row 2: missing id" in res.output


def test_cli_agreement_and_merge(tmp_path: Path) -> None:
    store = tmp_path / "store.jsonl"
    rows = [
        {"id": "x1", "text": "Mange er ensomme.", "labels": ["bekymring:ensomhet"], "annotator": "a"},
        {"id": "x1", "text": "Mange er ensomme.", "labels": ["bekymring:ensomhet"], "annotator": "b"},
        {"id": "x2", "text": "Vi ringer brukerne.", "labels": ["tiltak:digital_oppfolging"], "annotator": "a"},
        {"id": "x2", "text": "Vi ringer brukerne.", "labels": [], "annotator": "b"},
    ]
    store.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "agreement.csv"
    res = runner.invoke(main, ["annotate", "agreement", str(store), "-o", str(out), "--disagreements", str(tmp_path / "dis.csv")])
    assert res.exit_code == 0, res.output
    assert "2 annotators, 2 labels, 1 disagreements" in res.output
    assert "tiltak:digital_oppfolging" in (tmp_path / "dis.csv").read_text(encoding="utf-8")
    merged = tmp_path / "merged.jsonl"
    res = runner.invoke(main, ["annotate", "merge", str(store), "-o", str(merged), "--conflicts", str(tmp_path / "c.csv")])
    assert res.exit_code == 0, res.output
    assert "Merged 2 comments" in res.output and "1 conflicts" in res.output
    assert [json.loads(line)["labels"] for line in merged.read_text(encoding="utf-8").splitlines()] == [["bekymring:ensomhet"], []]
