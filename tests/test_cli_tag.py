"""``fritekst tag``: the JSONL contract, 0/1 tables, metadata, summary line and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from fritekst.cli import main
from fritekst.codebook import load_codebook

CSV = (
    "respondent;uke;landsdel;kommentar\n"
    "r1;Uke 28;Vestlandet;Mye hasjtørke og flere overdoser.\n"
    "r2;28;Nord-Norge;Ingen melder om tørke, men brukerne er redde for å bli smittet.\n"
    "r3;28;Østlandet;-\n"
    "r4;29;Østlandet;Hjemkjøring av LAR-medisiner og utdeling av Rivotril?? nei, nalokson.\n"
)


@pytest.fixture()
def export(tmp_path: Path) -> Path:
    p = tmp_path / "svar.csv"
    p.write_text(CSV, encoding="utf-8")
    return p


def _run(*args: str):
    """Invoke the CLI; ``result.output`` holds stdout and stderr (Click >= 8.2)."""
    return CliRunner().invoke(main, list(args))


def _empty(d: Path) -> Path:
    (d / "tom.csv").write_text("", encoding="utf-8")
    return d / "tom.csv"


def test_tag_jsonl_contract(export: Path, tmp_path: Path) -> None:
    out = tmp_path / "tagged.jsonl"
    res = _run("tag", str(export), "-o", str(out), "--year", "2020", "--base", "blank", "--no-classifier")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["r1", "r2", "r4"]
    assert list(rows[0]) == ["id", "week", "region", "question", "text", "labels", "negated", "mentions", "sources"]
    r1, r2, r4 = rows
    assert r1["week"] == "2020-W28" and r1["region"] == "Vestlandet"
    assert r1["labels"] == ["bekymring:overdose", "bekymring:tilgang_rusmidler", "stoff:cannabis"]
    assert r1["negated"] == []
    m = next(m for m in r1["mentions"] if m["label"] == "stoff:cannabis")
    assert m == {"start": 4, "end": 13, "text": "hasjtørke", "label": "stoff:cannabis", "substance": "hasj", "negated": False}
    assert r1["text"][m["start"] : m["end"]] == "hasjtørke"
    assert r2["labels"] == ["bekymring:smitte"] and r2["negated"] == ["bekymring:tilgang_rusmidler"]
    assert {"stoff:lar", "tiltak:legemiddelutlevering", "tiltak:nalokson", "stoff:benzodiazepiner"} <= set(r4["labels"])
    assert r4["sources"]["stoff:lar"] == {"source": "rule", "probability": None}


def test_tag_summary_line_and_metadata(export: Path, tmp_path: Path) -> None:
    out = tmp_path / "tagged.jsonl"
    res = _run("tag", str(export), "-o", str(out), "--year", "2020", "--base", "blank", "--no-classifier")
    assert res.exit_code == 0
    text = res.output
    assert f"Tagged 3 comments (3 with labels), skipped 1 empty answers -> {out}" in text
    meta = json.loads((tmp_path / "tagged.jsonl.meta.json").read_text(encoding="utf-8"))
    cb = load_codebook()
    assert meta["codebook"]["sha256"] == cb.sha256 and meta["codebook"]["version"] == cb.version
    assert meta["pipeline"]["components"][-2:] == ["fritekst_codebook", "fritekst_negation"]
    assert meta["counts"] == {"rows": 4, "comments": 3, "with_labels": 3, "skipped_empty": 1}
    assert meta["classifier"] is None


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_tag_table_has_one_01_column_per_label(export: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"tagged{suffix}"
    res = _run("tag", str(export), "-o", str(out), "--year", "2020", "--base", "blank", "--no-classifier")
    assert res.exit_code == 0, res.output
    if suffix == ".csv":
        df = pd.read_csv(out, dtype={"id": str})
    else:
        wb = openpyxl.load_workbook(out, read_only=True)
        assert "kommentarer" in wb.sheetnames
        df = pd.read_excel(out, sheet_name="kommentarer", dtype={"id": str})
    ids = load_codebook().ids
    assert list(df.columns) == ["id", "week", "region", "question", "text", *ids]
    assert df[ids].isin([0, 1]).all().all()
    row = df.set_index("id").loc["r2"]
    assert row["bekymring:smitte"] == 1 and row["bekymring:tilgang_rusmidler"] == 0
    assert (tmp_path / f"tagged{suffix}.meta.json").exists()


def test_tag_with_explicit_columns(tmp_path: Path) -> None:
    src = tmp_path / "export.csv"
    src.write_text("nr,dato,fylke,q,svar\n7,08.07.2020,Agder,Q1,Mer alkohol\n", encoding="utf-8")
    out = tmp_path / "t.jsonl"
    res = _run("tag", str(src), "-o", str(out), "--text-col", "svar", "--id-col", "nr", "--week-col", "dato",
               "--region-col", "fylke", "--question-col", "q", "--base", "blank", "--no-classifier")
    assert res.exit_code == 0, res.output
    row = json.loads(out.read_text(encoding="utf-8"))
    assert (row["id"], row["week"], row["region"], row["question"]) == ("7", "2020-W28", "Agder", "Q1")
    assert row["labels"] == ["bekymring:endret_bruk", "stoff:alkohol"]


@pytest.mark.parametrize(
    "setup,message",
    [
        (lambda d: d / "finnes-ikke.csv", "finnes-ikke.csv"),
        (_empty, "tom.csv"),
    ],
)
def test_tag_bad_input_one_line_error_no_output(tmp_path: Path, setup, message: str) -> None:
    src = setup(tmp_path)
    out = tmp_path / "out.jsonl"
    res = _run("tag", str(src), "-o", str(out), "--base", "blank", "--no-classifier")
    assert res.exit_code in (1, 2)
    text = res.output
    assert "Error:" in text and message in text and "Traceback" not in text
    assert not out.exists() and not (tmp_path / "out.jsonl.meta.json").exists()


def test_tag_rejects_unknown_output_suffix(export: Path, tmp_path: Path) -> None:
    res = _run("tag", str(export), "-o", str(tmp_path / "out.txt"), "--base", "blank")
    assert res.exit_code == 1 and "must end in .jsonl, .csv or .xlsx" in res.output


def test_tag_help_lists_the_contract_options() -> None:
    res = _run("tag", "--help")
    assert res.exit_code == 0
    for opt in ("--text-col", "--id-col", "--week-col", "--region-col", "--question-col", "--year",
                "--codebook", "--base", "--no-classifier"):
        assert opt in res.output
