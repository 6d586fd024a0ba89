"""The constructed example export in ``corpus/example/``: same comments from XLSX and CSV,
enough weeks/regions/questions for a report, and committed files that match the generator."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from openpyxl import load_workbook

from fritekst.read import ReadResult, read_comments

EXAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "example"
XLSX = EXAMPLE / "svar.xlsx"
CSV = EXAMPLE / "svar.csv"
REGIONS = {"Nord-Norge", "Midt-Norge", "Vestlandet", "Sørlandet", "Østlandet"}


def _load_generator() -> ModuleType:
    name = "fritekst_example_generator"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, EXAMPLE / "make_example.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return _load_generator()


@pytest.fixture(scope="module")
def from_xlsx() -> ReadResult:
    return read_comments(XLSX)


@pytest.fixture(scope="module")
def from_csv() -> ReadResult:
    return read_comments(CSV)


def _keys(result: ReadResult) -> list[tuple[str, str | None, str | None, str | None, str]]:
    return [(c.id, c.week, c.region, c.question, c.text) for c in result.comments]


def test_xlsx_and_csv_yield_the_same_comments(from_xlsx: ReadResult, from_csv: ReadResult) -> None:
    assert _keys(from_xlsx) == _keys(from_csv)
    assert from_xlsx.skipped_empty == from_csv.skipped_empty
    assert from_xlsx.n_rows == from_csv.n_rows


@pytest.mark.parametrize("path", [XLSX, CSV], ids=["xlsx", "csv"])
def test_example_is_big_enough_for_a_weekly_report(path: Path, gen: ModuleType) -> None:
    result = read_comments(path)
    expected = gen.counts(gen.build_rows())
    weeks = {c.week for c in result.comments}
    assert len(result.comments) >= 300
    assert len(result.comments) == expected["comments"]
    assert result.n_rows == expected["rows"]
    assert result.skipped_empty == expected["empty"] > 0
    assert len(weeks) >= 6
    assert all(re.fullmatch(r"2020-W\d\d", w or "") for w in weeks)
    assert {c.region for c in result.comments} == REGIONS
    assert {c.question for c in result.comments} == set(gen.QUESTIONS.values())
    assert len({c.id for c in result.comments}) == len(result.comments)
    assert result.warnings == []


def test_sorlandet_has_no_answers_in_the_last_week(from_xlsx: ReadResult) -> None:
    by_week: dict[str | None, set[str | None]] = {}
    for c in from_xlsx.comments:
        by_week.setdefault(c.week, set()).add(c.region)
    assert "Sørlandet" not in by_week["2020-W28"]
    assert all(regions == REGIONS for week, regions in by_week.items() if week != "2020-W28")


@pytest.mark.parametrize(
    "needle",
    [
        "<script>alert(1)</script>",  # shown as text in the report, never run
        "Kari Nordmann",  # made-up personal data for the redaction demo
        "912 34 567",
        "ola.nordmann@example.com",
        "Storgata 12",
        "01819012365",  # synthetic fødselsnummer (month + 80)
        "\n",  # line breaks inside a cell
        "rivotrill",  # typos
        "amfetamine",
        "rusmiddeltrøke",
        "GHB-bruk",  # compounds
        "hasjtørke",
        "Vi har ikke sett økning i overdoser",  # negations
        "Ingen tegn til",
    ],
)
def test_special_answers_survive_both_formats(needle: str, from_xlsx: ReadResult, from_csv: ReadResult) -> None:
    assert any(needle in c.text for c in from_xlsx.comments)
    assert any(needle in c.text for c in from_csv.comments)


def test_csv_is_written_as_norwegian_excel_does() -> None:
    raw = CSV.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    header = text.split("\r\n", 1)[0]
    assert header.split(";")[:5] == ["respondent_id", "uke", "år", "landsdel", "kommunestørrelse"]
    assert "\r\n" in text and "\n\n" in text  # CRLF rows, line breaks kept inside quoted cells


def test_week_column_mixes_the_forms_respondents_use() -> None:
    ws = load_workbook(XLSX, read_only=True)["Svar"]
    values = [row[1] for row in ws.iter_rows(min_row=2, values_only=True)]
    forms = {
        "number": any(isinstance(v, int) for v in values),
        "uke N": any(isinstance(v, str) and re.fullmatch(r"uke \d+", v) for v in values),
        "Uke N YYYY": any(isinstance(v, str) and re.fullmatch(r"Uke \d+ 2020", v) for v in values),
        "YYYY-Www": any(isinstance(v, str) and re.fullmatch(r"2020-W\d\d", v) for v in values),
        "dd.mm.yyyy": any(isinstance(v, str) and re.fullmatch(r"\d\d\.\d\d\.2020", v) for v in values),
        "yyyy-mm-dd": any(isinstance(v, str) and re.fullmatch(r"2020-\d\d-\d\d", v) for v in values),
    }
    assert all(forms.values()), forms


def test_committed_files_match_the_generator(gen: ModuleType, tmp_path: Path) -> None:
    xlsx, csv_path = gen.write_outputs(gen.build_rows(), tmp_path)
    assert csv_path.read_bytes() == CSV.read_bytes()
    fresh = list(load_workbook(xlsx, read_only=True)["Svar"].iter_rows(values_only=True))
    committed = list(load_workbook(XLSX, read_only=True)["Svar"].iter_rows(values_only=True))
    assert fresh == committed


def test_iter_comments_streams_reproducible_non_empty_comments(gen: ModuleType) -> None:
    first = list(gen.iter_comments(60, seed=7))
    assert first == list(gen.iter_comments(60, seed=7))
    assert first != list(gen.iter_comments(60, seed=8))
    assert len({c["id"] for c in first}) == 60
    assert all(c["text"].strip() for c in first)
    assert {c["question"] for c in first} == set(gen.QUESTIONS.values())
    assert {c["region"] for c in first} == REGIONS


def test_themes_follow_the_planned_trends(gen: ModuleType) -> None:
    """Drought falls from week 16 to 28; overdoses rise on Østlandet (generator plan)."""
    import random

    def share(question: str, theme: str, week: int, region: str) -> float:
        rng = random.Random(week)
        hits = sum(theme in gen.compose_with_themes(question, week, region, rng)[1] for _ in range(400))
        return hits / 400

    assert share("miljo", "torke", 16, "Østlandet") > share("miljo", "torke", 28, "Østlandet") + 0.3
    assert share("miljo", "overdose", 28, "Østlandet") > share("miljo", "overdose", 16, "Østlandet") + 0.3
    assert share("bekymring", "psykisk", 28, "Midt-Norge") > share("bekymring", "psykisk", 16, "Midt-Norge")


def test_readme_counts_match_the_generator(gen: ModuleType) -> None:
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    expected = gen.counts(gen.build_rows())
    table = {
        "rows (respondent × week)": expected["rows"],
        "answer cells (rows × 3 questions)": expected["answer_cells"],
        "non-empty comments": expected["comments"],
        "empty answers (blank, whitespace only, `-`)": expected["empty"],
        "regions (landsdeler)": expected["regions"],
        "free-text questions": expected["questions"],
    }
    for label, value in table.items():
        assert f"| {label} | {value} |" in readme, label
    assert "not survey data" in readme
