"""Tests for fritekst.write: atomic outputs written in tmp_path and read back."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fritekst.errors import InputError
from fritekst.records import TaggedRecord
from fritekst.write import (
    atomic_path,
    markdown_table,
    meta_path,
    write_jsonl,
    write_meta,
    write_sheets,
    write_table,
    write_text,
)

# Constructed summary rows, not survey figures.
TABLE = pd.DataFrame(
    {
        "week": ["2020-W28", "2020-W28", "2020-W29"],
        "label": ["stoff:cannabis", "bekymring:overdose", "stoff:cannabis"],
        "n_answers": [41, 41, 9],
        "n": [12, 3, 4],
        "share": [12 / 41, 3 / 41, 4 / 9],
        "change_pp": [float("nan"), float("nan"), 15.2],
        "small_n": [False, False, True],
        "note": ["Økt bruk | hasj", "=1+1", "linje én\nlinje to"],
    }
)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_atomic_path_renames_on_success(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_text("ferdig", encoding="utf-8")
        assert not target.exists()
    assert target.read_text(encoding="utf-8") == "ferdig"
    assert leftovers(tmp_path) == []
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_atomic_path_keeps_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("gammel", encoding="utf-8")
    with pytest.raises(RuntimeError, match="midt i"), atomic_path(target) as tmp:
        tmp.write_text("halv", encoding="utf-8")
        raise RuntimeError("feil midt i skrivingen")
    assert target.read_text(encoding="utf-8") == "gammel"
    assert leftovers(tmp_path) == []


def test_atomic_path_creates_folder_and_rejects_directory(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b" / "out.jsonl"
    assert write_jsonl(nested, [{"id": "1"}]) == 1
    assert nested.exists()
    with pytest.raises(InputError, match=f"^{tmp_path}: is a directory"):
        write_jsonl(tmp_path, [{"id": "1"}])


def test_write_jsonl_streams_records_and_dicts(tmp_path: Path) -> None:
    path = tmp_path / "tagged.jsonl"
    items = [
        TaggedRecord(id="1", text="Mer hasj på gata", week="2020-W28", labels=("stoff:cannabis",)),
        {"id": "2", "text": "Økt ensomhet", "labels": []},
    ]
    assert write_jsonl(path, iter(items)) == 2
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == items[0].to_dict()
    assert json.loads(lines[1]) == items[1]
    assert "på gata" in lines[0]  # non-ASCII kept, not \\u-escaped


def test_write_jsonl_leaves_no_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "tagged.jsonl"

    def records() -> Iterator[dict[str, str]]:
        yield {"id": "1"}
        raise InputError("svar.csv: row 3, column 'uke': cannot read week 'x'")

    with pytest.raises(InputError, match="row 3"):
        write_jsonl(path, records())
    assert not path.exists()
    assert leftovers(tmp_path) == []


def test_write_table_csv_plain_utf8(tmp_path: Path) -> None:
    path = write_table(tmp_path / "uketabell.csv", TABLE)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.splitlines()[0] == b"week,label,n_answers,n,share,change_pp,small_n,note"
    back = pd.read_csv(path)
    pd.testing.assert_frame_equal(back, TABLE)


def test_write_table_excel_csv(tmp_path: Path) -> None:
    path = write_table(tmp_path / "uketabell.csv", TABLE, excel_csv=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].split(b"\r\n")[0] == b"week;label;n_answers;n;share;change_pp;small_n;note"
    back = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, TABLE)


def test_write_table_xlsx(tmp_path: Path) -> None:
    path = write_table(tmp_path / "uketabell.xlsx", TABLE, sheet_name="Uke/tabell",
                       meta={"codebook_version": "1", "counts": {"comments": 41}})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Uke_tabell", "metadata"]
    ws = wb["Uke_tabell"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == list(TABLE.columns)
    assert ws["A1"].font.bold
    assert [c.value for c in ws["C"]][1:] == [41, 41, 9]
    assert ws["F2"].value is None  # NaN -> empty cell
    assert ws["H3"].value == "=1+1" and ws["H3"].data_type == "s"  # text, not a formula
    assert ws.column_dimensions["B"].width >= len("bekymring:overdose")
    back = pd.read_excel(path, sheet_name="Uke_tabell")
    pd.testing.assert_frame_equal(back, TABLE)
    meta = {r[0].value: r[1].value for r in wb["metadata"].iter_rows(min_row=2)}
    assert meta == {"codebook_version": "1", "counts": '{"comments": 41}'}


def test_write_sheets_several_tables(tmp_path: Path) -> None:
    path = write_sheets(tmp_path / "rapport.xlsx",
                        {"stoff": TABLE.head(1), "bekymring": TABLE.tail(2)})
    assert openpyxl.load_workbook(path).sheetnames == ["stoff", "bekymring"]
    with pytest.raises(InputError, match="only be written to .xlsx"):
        write_sheets(tmp_path / "rapport.csv", {"a": TABLE})


def test_markdown_table(tmp_path: Path) -> None:
    df = pd.DataFrame({"label": ["stoff:ghb", "a|b"], "n": [3, 10], "share": [0.123456, None],
                       "tekst": ["to\nlinjer", "ok"]})
    expected = (
        "| label | n | share | tekst |\n"
        "| --- | ---: | ---: | --- |\n"
        "| stoff:ghb | 3 | 0.1235 | to<br>linjer |\n"
        "| a\\|b | 10 |  | ok |\n"
    )
    assert markdown_table(df) == expected
    path = write_table(tmp_path / "tabell.md", df)
    assert path.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("name", ["tabell.txt", "tabell.xls", "tabell"])
def test_write_table_unknown_suffix(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with pytest.raises(InputError, match=f"^{path}: unknown table format"):
        write_table(path, TABLE)
    assert not path.exists()
    assert leftovers(tmp_path) == []


def test_write_text_and_meta(tmp_path: Path) -> None:
    out = write_text(tmp_path / "rapport.html", "<p>Ukerapport for uke 28</p>\n")
    assert out.read_text(encoding="utf-8") == "<p>Ukerapport for uke 28</p>\n"
    sidecar = write_meta(out, {
        "pipeline": {"name": "nb_fritekst", "version": "0.1.0"},
        "codebook": {"version": "1", "sha256": "ab12"},
        "counts": {"comments": pd.Series([3]).sum()},  # numpy integer
        "input": tmp_path / "svar.xlsx",
    })
    assert sidecar == meta_path(out) == tmp_path / "rapport.html.meta.json"
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    assert meta["output"] == "rapport.html"
    assert meta["pipeline"] == {"name": "nb_fritekst", "version": "0.1.0"}
    assert meta["counts"] == {"comments": 3}
    assert meta["input"] == str(tmp_path / "svar.xlsx")
    assert meta["written_at"].endswith("+00:00")
    assert "fritekst_version" in meta
