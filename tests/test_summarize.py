"""Tests for fritekst.summarize and ``fritekst summarize``.

The tagged records are written by hand (constructed Norwegian comments, not survey data);
the expected numbers are computed by hand in the comments next to them.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from fritekst.cli import main
from fritekst.codebook import load_codebook
from fritekst.errors import InputError
from fritekst.records import Mention, TaggedRecord
from fritekst.summarize import UNKNOWN, summarize, week_sort_key, wilson_interval

CANNABIS = "stoff:cannabis"
OVERDOSE = "bekymring:overdose"


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def rec(i: int, week: str | None, labels: tuple[str, ...] = (), region: str | None = "Østlandet",
        question: str | None = "Endringer", negated: tuple[str, ...] = (), text: str = "Hasj og overdoser.") -> TaggedRecord:
    return TaggedRecord(id=str(i), text=text, week=week, region=region, question=question,
                        labels=tuple(sorted(labels)), negated=negated)


def make(week: str, n_answers: int, n_label: int, label: str = CANNABIS, start: int = 0, **kw) -> list[TaggedRecord]:
    return [rec(start + i, week, (label,) if i < n_label else (), **kw) for i in range(n_answers)]


# --------------------------------------------------------------------------- Wilson


@pytest.mark.parametrize(
    "n,total,low,high",
    [
        # p = 0.25, z = 1.96: centre (0.25 + 3.8415/24) / 1.3201 = 0.3106,
        # half = 1.96 * sqrt(0.25*0.75/12 + 3.8415/576) / 1.3201 = 0.2217
        (3, 12, 0.0889, 0.5323),
        # n = 0: low 0, high = (z²/n) / (1 + z²/n) = 0.7683 / 1.7683
        (0, 5, 0.0, 0.4345),
        # n = total: the mirror image
        (5, 5, 0.5655, 1.0),
        # p = 0.5, total 100: 0.5 ± 1.96*sqrt(0.0025 + 0.000096)/1.0384
        (50, 100, 0.4038, 0.5962),
    ],
)
def test_wilson_interval_matches_hand_computation(n, total, low, high):
    got_low, got_high = wilson_interval(n, total)
    assert got_low == pytest.approx(low, abs=5e-5)
    assert got_high == pytest.approx(high, abs=5e-5)


def test_wilson_interval_rejects_empty_group():
    with pytest.raises(ValueError):
        wilson_interval(0, 0)


# --------------------------------------------------------------------------- table shape


@pytest.mark.parametrize(
    "by,columns",
    [
        (("week",), ["week", "label", "n_answers", "n", "share", "ci_low", "ci_high", "change_pp", "small_n"]),
        (("week", "region"), ["week", "region", "label", "n_answers", "n", "share", "ci_low", "ci_high", "change_pp", "small_n"]),
        (("question", "week"), ["week", "question", "label", "n_answers", "n", "share", "ci_low", "ci_high", "change_pp", "small_n"]),
        (("region", "question", "week"), ["week", "region", "question", "label", "n_answers", "n", "share", "ci_low", "ci_high", "change_pp", "small_n"]),
    ],
)
def test_columns_in_contract_order(codebook, by, columns):
    df = summarize(make("2020-W28", 12, 3), by=by, codebook=codebook)
    assert list(df.columns) == columns


def test_every_label_for_every_group_in_codebook_order(codebook):
    records = make("2020-W26", 4, 1) + make("2020-W28", 6, 0, start=10)
    df = summarize(records, codebook=codebook)
    ids = [lab.id for lab in codebook.labels]
    assert len(df) == 2 * len(ids)
    for week in ("2020-W26", "2020-W28"):
        assert df[df["week"] == week]["label"].tolist() == ids
    # zero counts are rows too
    assert (df[df["week"] == "2020-W28"]["n"] == 0).all()


def test_three_of_twelve(codebook):
    df = summarize(make("2020-W28", 12, 3), codebook=codebook)
    row = df[df["label"] == CANNABIS].iloc[0]
    assert (row["n_answers"], row["n"]) == (12, 3)
    assert row["share"] == 0.25
    assert row["ci_low"] == pytest.approx(0.0889, abs=1e-4)
    assert row["ci_high"] == pytest.approx(0.5323, abs=1e-4)
    assert math.isnan(row["change_pp"])
    assert not row["small_n"]


def test_weeks_sorted_chronologically_across_years(codebook):
    records = (
        make("2021-W01", 3, 1, start=0)
        + make("2020-W53", 3, 1, start=10)
        + make("2020-W09", 3, 1, start=20)
        + make("2020-W10", 3, 1, start=30)
    )
    df = summarize(records, codebook=codebook)
    assert list(dict.fromkeys(df["week"])) == ["2020-W09", "2020-W10", "2020-W53", "2021-W01"]


@pytest.mark.parametrize(
    "weeks,expected",
    [
        (["2020-W10", "2020-W9", "2019-W52"], ["2019-W52", "2020-W9", "2020-W10"]),
        ([UNKNOWN, "2020-W01"], ["2020-W01", UNKNOWN]),
    ],
)
def test_week_sort_key(weeks, expected):
    assert sorted(weeks, key=week_sort_key) == expected


# --------------------------------------------------------------------------- counting


def test_negated_mentions_do_not_count(codebook):
    text = "Ingen melder om overdoser denne uken."
    start = text.index("overdoser")
    negated_only = TaggedRecord(
        id="1", text=text, week="2020-W28", labels=(), negated=(OVERDOSE,),
        mentions=(Mention(start, start + 9, "overdoser", OVERDOSE, None, True),),
    )
    asserted = rec(2, "2020-W28", (OVERDOSE,))
    df = summarize([negated_only, asserted], codebook=codebook)
    row = df[df["label"] == OVERDOSE].iloc[0]
    assert (row["n_answers"], row["n"], row["share"]) == (2, 1, 0.5)


def test_change_since_previous_week_in_percentage_points(codebook):
    # uke 26: 3 of 12 = 25 %; uke 28: 2 of 5 = 40 % -> +15 pp; uke 30: 0 of 10 -> -40 pp
    records = make("2020-W26", 12, 3) + make("2020-W28", 5, 2, start=100) + make("2020-W30", 10, 0, start=200)
    df = summarize(records, codebook=codebook)
    rows = df[df["label"] == CANNABIS].set_index("week")
    assert math.isnan(rows.loc["2020-W26", "change_pp"])
    assert rows.loc["2020-W28", "change_pp"] == pytest.approx(15.0)
    assert rows.loc["2020-W30", "change_pp"] == pytest.approx(-40.0)
    assert rows.loc["2020-W28", "small_n"] and not rows.loc["2020-W30", "small_n"]


def test_change_is_empty_when_the_group_had_no_answers_the_previous_week(codebook):
    # Sørlandet answers in uke 24 and 28 but not 26: never compare across the gap
    records = (
        make("2020-W24", 4, 2, region="Sørlandet")
        + make("2020-W26", 4, 1, region="Nord-Norge", start=10)
        + make("2020-W28", 4, 1, region="Sørlandet", start=20)
        + make("2020-W28", 4, 3, region="Nord-Norge", start=30)
    )
    df = summarize(records, by=("week", "region"), codebook=codebook)
    rows = df[df["label"] == CANNABIS].set_index(["week", "region"])
    assert math.isnan(rows.loc[("2020-W28", "Sørlandet"), "change_pp"])
    assert rows.loc[("2020-W28", "Nord-Norge"), "change_pp"] == pytest.approx(50.0)  # 25 % -> 75 %
    assert ("2020-W26", "Sørlandet") not in rows.index  # no answers: no row, not a zero share


def test_regions_sorted_norwegian_and_unknown_last(codebook):
    records = (
        make("2020-W28", 2, 1, region="Østlandet")
        + make("2020-W28", 2, 1, region=None, start=10)
        + make("2020-W28", 2, 1, region="Trøndelag", start=20)
        + make("2020-W28", 2, 1, region="Nord-Norge", start=30)
    )
    df = summarize(records, by=("week", "region"), codebook=codebook)
    assert list(dict.fromkeys(df["region"])) == ["Nord-Norge", "Trøndelag", "Østlandet", UNKNOWN]


def test_records_without_week_are_grouped_as_unknown_last(codebook):
    records = make("2020-W28", 3, 1) + make(None, 2, 2, start=10)
    df = summarize(records, codebook=codebook)
    assert list(dict.fromkeys(df["week"])) == ["2020-W28", UNKNOWN]
    row = df[(df["week"] == UNKNOWN) & (df["label"] == CANNABIS)].iloc[0]
    assert (row["n"], row["n_answers"]) == (2, 2)
    assert math.isnan(row["change_pp"])


def test_family_filter(codebook):
    df = summarize(make("2020-W28", 3, 1), codebook=codebook, family="tiltak")
    assert set(df["label"]) == {lab.id for lab in codebook.labels if lab.family == "tiltak"}


def test_unknown_labels_are_reported_not_counted(codebook):
    records = [rec(1, "2020-W28", (CANNABIS, "stoff:sukker"))]
    df = summarize(records, codebook=codebook)
    assert df.attrs["unknown_labels"] == ["stoff:sukker"]
    assert "stoff:sukker" not in set(df["label"])


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"by": ("region",)}, "must include week"),
        ({"by": ("week", "fylke")}, "cannot group by fylke"),
        ({"family": "rusmidler"}, "unknown label family 'rusmidler'"),
    ],
)
def test_bad_arguments(codebook, kwargs, message):
    with pytest.raises(InputError, match=message):
        summarize(make("2020-W28", 2, 1), codebook=codebook, **kwargs)


# --------------------------------------------------------------------------- CLI


def write_tagged(path: Path, records: list[TaggedRecord]) -> Path:
    path.write_text("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def tagged(tmp_path: Path) -> Path:
    records = (
        make("2020-W26", 12, 3, region="Vestlandet", question="Endringer")
        + make("2020-W28", 5, 2, region="Østlandet", question="Tiltak", start=100)
    )
    return write_tagged(tmp_path / "tagged.jsonl", records)


def test_cli_csv(tmp_path, tagged):
    out = tmp_path / "uketabell.csv"
    result = CliRunner().invoke(main, ["summarize", str(tagged), "--by", "week", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    df = pd.read_csv(out)
    assert list(df.columns) == ["week", "label", "n_answers", "n", "share", "ci_low", "ci_high", "change_pp", "small_n"]
    row = df[(df["week"] == "2020-W28") & (df["label"] == CANNABIS)].iloc[0]
    assert (row["n_answers"], row["n"], row["share"], row["change_pp"]) == (5, 2, 0.4, 15.0)
    meta = json.loads((tmp_path / "uketabell.csv.meta.json").read_text(encoding="utf-8"))
    assert meta["by"] == ["week"] and meta["counts"]["answers"] == 17
    assert meta["codebook"]["sha256"] == load_codebook().sha256


def test_cli_by_region_and_question_xlsx(tmp_path, tagged):
    out = tmp_path / "tabell.xlsx"
    result = CliRunner().invoke(
        main, ["summarize", str(tagged), "--by", "week", "--by", "region", "--by", "question", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    df = pd.read_excel(out, sheet_name=0)
    assert list(df.columns[:4]) == ["week", "region", "question", "label"]
    assert set(zip(df["region"], df["question"])) == {("Vestlandet", "Endringer"), ("Østlandet", "Tiltak")}


def test_cli_markdown_and_family(tmp_path, tagged):
    out = tmp_path / "tabell.md"
    result = CliRunner().invoke(main, ["summarize", str(tagged), "--by", "week", "--family", "stoff", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("| week | label | n_answers |")
    assert CANNABIS in text and OVERDOSE not in text


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["--by", "region"], 1, "grouping must include week"),
        (["--by", "fylke"], 2, "Invalid value for '--by'"),
        (["--family", "rus"], 1, "unknown label family 'rus'"),
    ],
)
def test_cli_bad_options(tmp_path, tagged, args, code, message):
    out = tmp_path / "t.csv"
    result = CliRunner().invoke(main, ["summarize", str(tagged), *args, "-o", str(out)])
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_cli_bad_tagged_file_leaves_no_output(tmp_path, tagged):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(tagged.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    out = tmp_path / "t.csv"
    result = CliRunner().invoke(main, ["summarize", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "bad.jsonl" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists() and not (tmp_path / "t.csv.meta.json").exists()


def test_cli_missing_file(tmp_path):
    out = tmp_path / "t.csv"
    result = CliRunner().invoke(main, ["summarize", str(tmp_path / "mangler.jsonl"), "-o", str(out)])
    assert result.exit_code in (1, 2)
    assert "mangler.jsonl" in result.output
    assert not out.exists()


def test_cli_bad_output_suffix(tmp_path, tagged):
    result = CliRunner().invoke(main, ["summarize", str(tagged), "-o", str(tmp_path / "t.txt")])
    assert result.exit_code == 1
    assert "t.txt" in result.output and ".csv, .xlsx or .md" in result.output


# --------------------------------------------------------------------------- golden table

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "corpus" / "example" / "svar.xlsx"
GOLDEN = Path(__file__).resolve().parent / "golden" / "uketabell_example.csv"


@pytest.mark.skipif(not EXAMPLE.exists(), reason=f"{EXAMPLE} is missing")
def test_golden_weekly_table_for_the_example_corpus(tmp_path, monkeypatch):
    """tag + summarize on the constructed example corpus reproduce tests/golden/ exactly.

    A change in tagging or counting shows up here as a diff. When the change is intended,
    regenerate with ``FRITEKST_UPDATE_GOLDEN=1 python -m pytest tests/test_summarize.py -k golden``
    and review the diff of tests/golden/uketabell_example.csv before committing it.
    """
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["tag", str(EXAMPLE), "-o", "tagged.jsonl"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["summarize", "tagged.jsonl", "--by", "week", "-o", "uketabell.csv"])
    assert result.exit_code == 0, result.output
    got = (tmp_path / "uketabell.csv").read_text(encoding="utf-8")
    if os.environ.get("FRITEKST_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(got, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    df = pd.read_csv(tmp_path / "uketabell.csv")
    # sanity of the golden itself: 7 survey weeks x every label, consistent numbers
    assert df["week"].nunique() >= 6
    assert len(df) == df["week"].nunique() * len(load_codebook().labels)
    assert ((df["n"] <= df["n_answers"]) & (df["ci_low"] <= df["share"]) & (df["share"] <= df["ci_high"])).all()
    assert got == expected, "weekly table differs from tests/golden/uketabell_example.csv (see docstring)"
