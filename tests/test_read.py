"""Tests for fritekst.read: real export files written in tmp_path.

All comments below are constructed for the tests (written in the register of the
seeds), not survey data.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from fritekst.errors import InputError
from fritekst.read import is_empty_answer, iso_week, read_comments, read_tagged, repair_mojibake
from fritekst.records import Mention, TaggedRecord
from fritekst.write import write_jsonl


def write_bytes(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


# --------------------------------------------------------------------------------------
# Weeks
# --------------------------------------------------------------------------------------

WEEK_CASES = [
    (28, 2020, "2020-W28"),
    (28.0, 2020, "2020-W28"),
    ("28", 2020, "2020-W28"),
    ("uke 28", 2020, "2020-W28"),
    ("Uke 28 2020", None, "2020-W28"),
    ("Uke 28, 2020", None, "2020-W28"),
    ("uke 28/2020", None, "2020-W28"),
    ("UKE  7", 2021, "2021-W07"),
    ("Uke nr. 9", 2021, "2021-W09"),
    ("2020 uke 28", None, "2020-W28"),
    ("week 7", 2021, "2021-W07"),
    ("2020-W28", None, "2020-W28"),
    ("2020W28", None, "2020-W28"),
    ("2020-w28-3", None, "2020-W28"),
    ("uke 28 2020", 2021, "2020-W28"),  # the year in the value wins
    ("2020-07-08", None, "2020-W28"),
    ("2020-07-08 13:45:00", None, "2020-W28"),
    ("2020-07-08T13:45", None, "2020-W28"),
    ("08.07.2020", None, "2020-W28"),
    ("8.7.2020", None, "2020-W28"),
    ("08/07/2020", None, "2020-W28"),
    ("08.07.20", None, "2020-W28"),
    (dt.date(2020, 7, 8), None, "2020-W28"),
    (dt.datetime(2020, 7, 8, 9, 30), None, "2020-W28"),
    ("2021-01-01", None, "2020-W53"),  # ISO year differs from calendar year
    ("2019-12-30", None, "2020-W01"),
    ("uke 53", 2020, "2020-W53"),
    ("Uke 28 (6.–12. juli)", 2020, "2020-W28"),
    ("uke 28.", 2020, "2020-W28"),
]


@pytest.mark.parametrize(("value", "year", "expected"), WEEK_CASES)
def test_iso_week(value: object, year: int | None, expected: str) -> None:
    assert iso_week(value, year) == expected


WEEK_ERRORS = [
    ("28", None, "has no year"),
    (28, None, "has no year"),
    ("uke 28", None, "has no year"),
    ("uke 53", 2021, "no ISO week 53"),
    ("uke 0", 2020, "no ISO week 0"),
    ("uke 54 2020", None, "no ISO week 54"),
    ("31.02.2020", None, "not a valid date"),
    ("2020-13-01", None, "not a valid date"),
    ("neste uke", 2020, "cannot read week 'neste uke'"),
    ("", 2020, "empty week"),
    (28.5, 2020, "cannot read week 28.5"),
    (None, 2020, "cannot read week None"),
]


@pytest.mark.parametrize(("value", "year", "message"), WEEK_ERRORS)
def test_iso_week_errors(value: object, year: int | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        iso_week(value, year)


# --------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "empty"),
    [
        ("", True), ("   ", True), ("-", True), ("–", True), (" . ", True), ("nan", True),
        ("NaN", True), ("—", True), ("Nei", False), ("Ingen endring", False),
        ("0", False), ("Vet ikke", False),
    ],
)
def test_is_empty_answer(text: str, empty: bool) -> None:
    assert is_empty_answer(text) is empty


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("Mer bruk av hasj pÃ¥ gata", "Mer bruk av hasj på gata"),
        ("Ã¸kt tilgang pÃ¥ GHB", "økt tilgang på GHB"),
        ("FÃ¦rre overdoser", "Færre overdoser"),
        ("Ã˜stlandet og Ã…lesund, Ã†rlig talt", "Østlandet og Ålesund, Ærlig talt"),
        ("rus â€“ og mer", "rus – og mer"),
        ("pÃ¥ og på i samme celle", "på og på i samme celle"),  # mixed cell
        ("pÃƒÂ¥", "på"),  # encoded twice
    ],
)
def test_repair_mojibake(broken: str, fixed: str) -> None:
    assert repair_mojibake(broken) == fixed


@pytest.mark.parametrize(
    "text",
    ["Østlandet", "Økt bruk av rusmidler på Sørlandet", "Æ, Ø og Å", "Ålesund", "20 °C",
     "Noe «ukjent» stoff", "René sa ×2"],
)
def test_repair_mojibake_leaves_correct_text(text: str) -> None:
    assert repair_mojibake(text) == text


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------

CP1252_CSV = (
    "Løpenummer;Uke;Landsdel;Spørsmål;Kommentar\r\n"
    "101;uke 28 2020;Østlandet;Endringer;\"Økt bruk av hasj, og mer amfetamin\r\n"
    "på gata enn før sommeren.\"\r\n"
    "102;28/2020;Nord-Norge;Endringer;-\r\n"
    "103;2020-W29;Vestlandet;Tiltak;Vi har åpnet dagsenteret igjen, i mindre grupper.\r\n"
    "104;08.07.2020;Midt-Norge;Tiltak;   \r\n"
    "\r\n"
)


def test_cp1252_semicolon_csv_with_multiline_cell(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "svar.csv", CP1252_CSV, "cp1252")
    result = read_comments(path)
    assert result.format == "csv"
    assert result.encoding == "cp1252"
    assert result.delimiter == ";"
    assert result.layout == "long"
    assert result.n_rows == 4
    assert result.skipped_empty == 2
    assert result.columns == {
        "id": "Løpenummer", "week": "Uke", "region": "Landsdel",
        "question": "Spørsmål", "text": "Kommentar",
    }
    assert [c.id for c in result.comments] == ["101", "103"]
    first, second = result.comments
    assert first.text == "Økt bruk av hasj, og mer amfetamin\npå gata enn før sommeren."
    assert (first.week, first.region, first.question, first.row) == (
        "2020-W28", "Østlandet", "Endringer", 2)
    assert (second.week, second.question, second.row) == ("2020-W29", "Tiltak", 4)
    assert result.warnings == []
    assert "2 empty answers skipped" in result.summary()


@pytest.mark.parametrize(
    ("delimiter", "encoding", "expected_encoding"),
    [
        (",", "utf-8", "utf-8"),
        (",", "utf-8-sig", "utf-8-sig"),
        (";", "utf-8-sig", "utf-8-sig"),
        ("\t", "utf-8", "utf-8"),
        ("\t", "utf-16", "utf-16"),  # Excel's "Unicode text"
        ("|", "cp1252", "cp1252"),
    ],
)
def test_delimiters_and_encodings(
    tmp_path: Path, delimiter: str, encoding: str, expected_encoding: str
) -> None:
    rows = [
        ["id", "week", "region", "comment"],
        ["1", "2020-W30", "Sørlandet", "Færre brukere på lavterskeltilbudet, men flere på gata"],
        ["2", "2020-W30", "Østlandet", "Rivotril-tabletter selges billig; mye benzoer"],
    ]
    text = "\n".join(
        delimiter.join(f'"{c}"' if ("," in c or ";" in c) else c for c in r) for r in rows
    ) + "\n"
    path = write_bytes(tmp_path / "export.csv", text, encoding)
    result = read_comments(path)
    assert result.delimiter == delimiter
    assert result.encoding == expected_encoding
    assert result.columns["id"] == "id"  # no BOM left on the first header
    assert [(c.id, c.region, c.text) for c in result.comments] == [
        (r[0], r[2], r[3]) for r in rows[1:]
    ]


def test_semicolon_csv_with_unquoted_commas_in_text(tmp_path: Path) -> None:
    text = (
        "id;uke;kommentar\n"
        "1;uke 30 2020;Hasj, amfetamin, GHB og piller, alt er lett tilgjengelig\n"
        "2;uke 30 2020;Ingen endring\n"
        "3;uke 31 2020;Mer alkohol, mindre kontakt med hjelpeapparatet\n"
    )
    result = read_comments(write_bytes(tmp_path / "a.csv", text, "utf-8"))
    assert result.delimiter == ";"
    assert result.comments[0].text == "Hasj, amfetamin, GHB og piller, alt er lett tilgjengelig"
    assert len(result.comments) == 3


def test_single_column_csv_keeps_commas(tmp_path: Path) -> None:
    text = "Kommentar\nMer hasj, mindre kokain\nIkke meldt om overdoser, heldigvis\n"
    result = read_comments(write_bytes(tmp_path / "a.csv", text, "utf-8"))
    assert [c.text for c in result.comments] == [
        "Mer hasj, mindre kokain", "Ikke meldt om overdoser, heldigvis"]
    assert [c.id for c in result.comments] == ["1", "2"]  # data row numbers
    assert all(c.week is None for c in result.comments)


def test_mojibake_is_repaired_and_reported(tmp_path: Path) -> None:
    good = "id,landsdel,kommentar\n1,Østlandet,Økt bruk på gata\n2,Sørlandet,Færre tilbud\n3,Vest,OK nå\n"
    broken = good.encode("utf-8").decode("cp1252")  # what a wrong Excel round trip makes
    assert "Ã" in broken
    path = write_bytes(tmp_path / "mojibake.csv", broken, "utf-8")
    result = read_comments(path)
    assert [c.text for c in result.comments] == ["Økt bruk på gata", "Færre tilbud", "OK nå"]
    assert [c.region for c in result.comments] == ["Østlandet", "Sørlandet", "Vest"]
    repaired = [w for w in result.warnings if "repaired double-encoded" in w]
    assert len(repaired) == 1 and "in 5 cells" in repaired[0] and str(path) in repaired[0]


def test_year_column_and_date_column(tmp_path: Path) -> None:
    text = (
        "respondent;år;uke;dato;fylke;svar\n"
        "7;2020;28;;Troms og Finnmark;Stengte dagsentre, mer ensomhet\n"
        "8;;;2021-01-02;Nordland;Mer hjemmebrenning og alkohol\n"
        "9;2021;;;Nordland;Uten uke\n"
    )
    result = read_comments(write_bytes(tmp_path / "a.csv", text, "utf-8"))
    assert result.columns["year"] == "år" and result.columns["date"] == "dato"
    assert [c.week for c in result.comments] == ["2020-W28", "2020-W53", None]


def test_week_from_date_when_no_week_column(tmp_path: Path) -> None:
    text = "id,dato,kommentar\n1,08.07.2020,Mer hasj\n2,2020-07-15,Mindre hasj\n"
    result = read_comments(write_bytes(tmp_path / "a.csv", text, "utf-8"))
    assert [c.week for c in result.comments] == ["2020-W28", "2020-W29"]


def test_named_columns_are_case_and_space_insensitive(tmp_path: Path) -> None:
    text = (
        "Resp nr;Kartlagt;Del av landet;Fritt svar\n"
        "a1;uke 12;Øst;Mer cannabis blant unge\n"
    )
    path = write_bytes(tmp_path / "a.csv", text, "utf-8")
    result = read_comments(
        path, text_col="fritt  SVAR", id_col="resp nr", week_col="KARTLAGT",
        region_col="del av landet", year=2021,
    )
    assert result.comments[0].id == "a1"
    assert result.comments[0].week == "2021-W12"
    assert result.comments[0].region == "Øst"
    assert result.columns["text"] == "Fritt svar"


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    text = "id;kommentar\n1;Mer hasj\n1;Mer GHB\n2;Ingen endring\n"
    result = read_comments(write_bytes(tmp_path / "a.csv", text, "utf-8"))
    assert [c.id for c in result.comments] == ["1", "1", "2"]
    assert any("1 comments share an id" in w for w in result.warnings)


def test_wide_csv_without_id_column(tmp_path: Path) -> None:
    q1 = "Har dere sett endringer i bruk av rusmidler?"
    q2 = "Hvilke tiltak har kommunen satt i gang?"
    text = (
        f'uke;landsdel;"{q1}";"{q2}"\n'
        "uke 28 2020;Øst;Mer hasj og alkohol;Utdeling av mat i døren\n"
        "uke 28 2020;Vest;-;Telefonoppfølging av kjente brukere\n"
    )
    result = read_comments(write_bytes(tmp_path / "wide.csv", text, "utf-8"))
    assert result.layout == "wide"
    assert result.questions == [q1, q2]
    assert result.skipped_empty == 1
    assert [(c.id, c.question) for c in result.comments] == [
        ("1:1", q1), ("1:2", q2), ("2:2", q2)]


def test_long_category_values_are_not_read_as_a_question(tmp_path: Path) -> None:
    # "kommunestørrelse" has answers of 4-6 words, but only three different ones
    sizes = ["Under 5 000 innbyggere", "Mellom 5 000 og 20 000 innbyggere", "Over 20 000 innbyggere"]
    comments = ["Mer hasj i omløp", "Flere overdoser enn før", "Brukerne er ensomme",
                "Utdeling av mat", "Stengt dagsenter", "Lite kontakt med NAV", "Rolig uke"]
    rows = [f"{i};uke 28 2020;{sizes[i % 3]};{comments[i % 7]} ({i})" for i in range(1, 25)]
    text = "id;uke;Kommunestørrelse;Hva bekymrer brukerne mest nå?\n" + "\n".join(rows) + "\n"
    result = read_comments(write_bytes(tmp_path / "sizes.csv", text, "utf-8"))
    assert result.questions == ["Hva bekymrer brukerne mest nå?"]
    assert len(result.comments) == 24
    assert not any("innbyggere" in c.text for c in result.comments)


def test_wide_with_kommentar_column_joins_question_columns(tmp_path: Path) -> None:
    q1 = "Beskriv endringer i tilgangen på rusmidler i kommunen"
    text = (
        f"id;{q1};Kommentar\n"
        "5;Mindre kokain, mer hasj og piller;Ellers rolig\n"
        "6;Tørke på amfetamin i vår;\n"
    )
    result = read_comments(write_bytes(tmp_path / "wide.csv", text, "utf-8"))
    assert result.layout == "wide"
    assert result.questions == [q1, "Kommentar"]
    assert [c.id for c in result.comments] == ["5:1", "5:2", "6:1"]
    assert result.skipped_empty == 1


def test_wide_closed_question_column_is_not_free_text(tmp_path: Path) -> None:
    closed = "Har dere sett en økning i overdoser?"
    open_q = "Beskriv hva dere har sett"
    text = (
        f"id;{closed};{open_q}\n"
        "1;Ja;Flere overdoser på heroin i sentrum\n"
        "2;Nei;Rolig, få henvendelser\n"
        "3;Vet ikke;-\n"
    )
    result = read_comments(write_bytes(tmp_path / "wide.csv", text, "utf-8"))
    assert result.questions == [open_q]
    assert [c.id for c in result.comments] == ["1:1", "2:1"]
    assert result.skipped_empty == 1


# --------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------

Q = [
    "Har dere observert endringer i rusmiddelbruken den siste uken?",
    "Hvilke bekymringer har dere for målgruppen nå?",
    "Hvilke tiltak har kommunen iverksatt?",
]


def test_wide_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "svar.xlsx", {
        "Tom": [],
        "Svar": [
            [None],
            ["Respondent", "Uke", "Landsdel", "Antall brukere", *Q],
            [12.0, 28, "Østlandet", 40, "Mer amfetamin", "Overdoser", "Matutdeling"],
            [13.0, "uke 29", "Nord-Norge", 12, "Ingen endringer", " ", "Hjemmebesøk med smittevern"],
            [14.0, dt.datetime(2020, 7, 20), "Sørlandet", 3, "-", "Ensomhet og isolasjon", None],
        ],
    })
    result = read_comments(path, year=2020)
    assert result.format == "xlsx" and result.sheet == "Svar" and result.layout == "wide"
    assert result.n_rows == 3
    assert result.questions == Q
    assert result.skipped_empty == 3
    assert result.columns["id"] == "Respondent"
    ids = [c.id for c in result.comments]
    assert ids == ["12:1", "12:2", "12:3", "13:1", "13:3", "14:2"]
    by_id = {c.id: c for c in result.comments}
    assert by_id["12:1"].question == Q[0] and by_id["12:1"].week == "2020-W28"
    assert by_id["13:3"].text == "Hjemmebesøk med smittevern" and by_id["13:3"].week == "2020-W29"
    assert by_id["14:2"].week == "2020-W30" and by_id["14:2"].region == "Sørlandet"
    assert by_id["12:1"].row == 3  # the Excel row (a blank row above the header)


def test_long_xlsx_float_ids_and_date_cells(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "long.xlsx", {"Ark1": [
        ["ID", "Dato", "Region", "Question", "Text"],
        [1.0, dt.datetime(2020, 7, 8), "Øst", "q1", "Flere henvendelser om GHB"],
        [2.0, dt.datetime(2020, 7, 9), "Øst", "q2", "nan"],
        [3.5, dt.date(2020, 7, 13), "Vest", "q1", "Mer salg via sosiale medier"],
    ]})
    result = read_comments(path)
    assert [(c.id, c.week, c.question) for c in result.comments] == [
        ("1", "2020-W28", "q1"), ("3.5", "2020-W29", "q1")]
    assert result.skipped_empty == 1


def test_title_rows_above_the_header_are_skipped_and_reported(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "tittel.xlsx", {"Ark1": [
        ["Korona og rus – eksport uke 28"],
        [],
        ["Respondent", "Uke", "Landsdel", "Kommentar"],
        [11, "uke 28 2020", "Nord-Norge", "Mer hasj og GHB i omløp."],
        [12, "uke 28 2020", "Vestlandet", "Vi har startet med matutdeling."],
    ]})
    result = read_comments(path)
    assert [(c.id, c.week, c.region) for c in result.comments] == [
        ("11", "2020-W28", "Nord-Norge"), ("12", "2020-W28", "Vestlandet")]
    assert result.columns["text"] == "Kommentar"
    assert any("header is row 3; skipped row 1" in w and "'Korona og rus – eksport uke 28'" in w for w in result.warnings)
    # the same in a semicolon CSV: the title line must not hide the delimiter either
    csv_path = write_bytes(tmp_path / "tittel.csv", "Eksport uke 28\n\nid;uke;kommentar\n1;28;Mer hasj, mindre kokain\n", "utf-8")
    result = read_comments(csv_path, year=2020)
    assert [(c.id, c.week, c.text) for c in result.comments] == [("1", "2020-W28", "Mer hasj, mindre kokain")]


def test_group_headings_above_the_header_are_skipped(tmp_path: Path) -> None:
    """A row of headings over merged cells ("Bakgrunn", "Fritekst") above a wide export's header."""
    q1, q2 = "Hva bekymrer dere mest nå?", "Hvilke tiltak har kommunen satt i gang?"
    path = write_xlsx(tmp_path / "grupper.xlsx", {"Ark1": [
        ["Bakgrunn", None, None, "Fritekst", None],
        ["Respondent", "Uke", "Landsdel", q1, q2],
        [1, "uke 28 2020", "Nord-Norge", "Mer hasj og GHB i omløp.", "Matutdeling i døren"],
        [2, "uke 28 2020", "Vestlandet", "Brukerne er ensomme.", "-"],
    ]})
    result = read_comments(path)
    assert result.layout == "wide" and result.questions == [q1, q2]
    assert [(c.id, c.week, c.region) for c in result.comments] == [
        ("1:1", "2020-W28", "Nord-Norge"), ("1:2", "2020-W28", "Nord-Norge"), ("2:1", "2020-W28", "Vestlandet")]
    assert any("header is row 2; skipped row 1" in w and "'Bakgrunn'" in w for w in result.warnings)


def test_a_header_with_blank_cells_stays_the_header(tmp_path: Path) -> None:
    """Data rows wider than a header with gaps are not taken for the header."""
    text = "id;;kommentar\n1;Region;Mer hasj\n2;Region;Mindre kokain\n"
    result = read_comments(write_bytes(tmp_path / "a.csv", text, "utf-8"))
    assert [c.text for c in result.comments] == ["Mer hasj", "Mindre kokain"]
    assert not any("header is row" in w for w in result.warnings)


def test_excel_sep_line_names_the_delimiter(tmp_path: Path) -> None:
    """Excel writes "sep=;" as line 1: it is the delimiter, not a title, and errors keep line numbers."""
    path = write_bytes(tmp_path / "a.csv", "sep=,\nuke,kommentar\n28,\"Mer hasj; mindre kokain\"\nx,Tekst\n", "utf-8")
    with pytest.raises(InputError, match=r"row 4.*'x'"):
        read_comments(path, year=2020)
    path.write_text("sep=,\nuke,kommentar\n28,\"Mer hasj; mindre kokain\"\n", encoding="utf-8")
    result = read_comments(path, year=2020)
    assert [(c.id, c.week, c.text) for c in result.comments] == [("1", "2020-W28", "Mer hasj; mindre kokain")]
    assert not result.warnings


def test_one_column_export_under_a_question_header_is_not_a_title(tmp_path: Path) -> None:
    text = "Hva bekymrer dere mest nå?\nMer hasj, mindre kokain\nFærre brukere på dagsenteret\n"
    result = read_comments(write_bytes(tmp_path / "a.csv", text, "utf-8"))
    assert [c.text for c in result.comments] == ["Mer hasj, mindre kokain", "Færre brukere på dagsenteret"]
    assert not any("header is row" in w for w in result.warnings)
    # without a week the weekly tables have one week, "ukjent": the user is told so
    assert any("no week or date column recognised" in w and "--week-col" in w for w in result.warnings)


# --------------------------------------------------------------------------------------
# JSONL
# --------------------------------------------------------------------------------------


def test_jsonl_export(tmp_path: Path) -> None:
    lines = [
        {"id": 1, "uke": "2020-W28", "landsdel": "Øst", "spørsmål": "q1", "kommentar": "Mer hasj"},
        {"id": 2, "uke": "2020-W28", "landsdel": "Øst", "spørsmål": "q1", "kommentar": ""},
        {"id": 3, "uke": 29, "år": 2020, "spørsmål": "q2", "kommentar": "Linje én\nLinje to"},
    ]
    path = tmp_path / "svar.jsonl"
    path.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n", encoding="utf-8")
    result = read_comments(path)
    assert result.format == "jsonl"
    assert [(c.id, c.week, c.region, c.text) for c in result.comments] == [
        ("1", "2020-W28", "Øst", "Mer hasj"), ("3", "2020-W29", None, "Linje én\nLinje to")]
    assert result.skipped_empty == 1


# --------------------------------------------------------------------------------------
# Bad input: one line naming the file (and row/column)
# --------------------------------------------------------------------------------------


def _zip_without_workbook(p: Path) -> None:
    import zipfile

    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hei")


BAD_INPUTS = [
    ("missing.csv", None, "no such file"),
    ("empty.csv", b"", "the file is empty"),
    ("blank.csv", b"  \n\n \r\n", "the file is empty"),
    ("binary.csv", bytes(range(256)) * 4, "binary file"),
    ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100), "binary file"),
    ("header_only.csv", "id;uke;kommentar\n".encode(), "no data rows"),
    ("not_xlsx.xlsx", b"id;kommentar\n1;hei\n", "not a valid XLSX file"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "old Excel"),
    ("bad.jsonl", b'{"id": 1, "kommentar": "ok"}\n{"id": 2, "kommentar": \n',
     "line 2: invalid JSON"),
    ("list.jsonl", b'{"id": 1, "kommentar": "ok"}\n[1, 2]\n', "line 2: expected a JSON object"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS)
def test_bad_input(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_comments(path)
    text = str(info.value)
    assert text.startswith(str(path) + ":")
    assert message in text
    assert "\n" not in text


def test_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"^{tmp_path}: is a directory"):
        read_comments(tmp_path)


def test_xlsx_without_data(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "tom.xlsx", {"Ark1": [], "Ark2": [["id", "kommentar"]]})
    with pytest.raises(InputError, match=f"^{path}: .*no data"):
        read_comments(path)


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    _zip_without_workbook(path)
    with pytest.raises(InputError, match=f"^{path}: not a valid XLSX file"):
        read_comments(path)


def test_csv_without_text_column(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "tall.csv", "id;uke;antall\n1;28;4\n2;28;7\n", "utf-8")
    with pytest.raises(InputError) as info:
        read_comments(path, year=2020)
    message = str(info.value)
    assert message.startswith(f"{path}: no free-text column")
    assert "'id', 'uke', 'antall'" in message and "--text-col" in message


def test_named_column_missing(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "a.csv", "id;kommentar\n1;Mer hasj\n", "utf-8")
    with pytest.raises(InputError, match=r"no column 'uke nr' for --week-col \(columns found: 'id', 'kommentar'\)"):
        read_comments(path, week_col="uke nr")


@pytest.mark.parametrize(
    ("week", "year", "message"),
    [
        ("neste uke", 2020, "row 3, column 'uke': cannot read week 'neste uke'"),
        ("28", None, "row 3, column 'uke': week '28' has no year"),
        ("uke 53", 2021, "row 3, column 'uke': cannot read week 'uke 53': 2021 has no ISO week 53"),
    ],
)
def test_bad_week_names_row_and_value(
    tmp_path: Path, week: str, year: int | None, message: str
) -> None:
    path = write_bytes(
        tmp_path / "uker.csv",
        f"id;uke;kommentar\n1;2020-W28;Mer hasj\n2;{week};Mer GHB\n", "utf-8")
    with pytest.raises(InputError) as info:
        read_comments(path, year=year)
    assert str(info.value).startswith(f"{path}: {message}")


def test_bad_week_in_jsonl_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": 1, "week": "x", "text": "Mer hasj"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=f"^{path}: line 1, column 'week': cannot read week 'x'"):
        read_comments(path)


def test_bad_year_column(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "a.csv", "id;år;uke;kommentar\n1;i fjor;28;Mer hasj\n", "utf-8")
    with pytest.raises(InputError, match=f"^{path}: row 2, column 'år': cannot read year"):
        read_comments(path)


# --------------------------------------------------------------------------------------
# read_tagged
# --------------------------------------------------------------------------------------


def test_read_tagged_round_trip(tmp_path: Path) -> None:
    records = [
        TaggedRecord(
            id="1", text="Mye Rivotril, ikke GHB", week="2020-W28", region="Øst",
            labels=("stoff:benzodiazepiner",), negated=("stoff:ghb",),
            mentions=(Mention(4, 12, "Rivotril", "stoff:benzodiazepiner", "rivotril"),
                      Mention(19, 22, "GHB", "stoff:ghb", "ghb", negated=True)),
        ),
        TaggedRecord(id="2", text="Ingen endring"),
    ]
    path = tmp_path / "tagged.jsonl"
    write_jsonl(path, records)
    assert list(read_tagged(path)) == records


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "1", "text": "a", "labels": []}\n{"id": "2", "text": \n', "line 2: invalid JSON"),
        ('{"id": "1", "labels": []}\n', "line 1: missing key(s) text"),
        ('\n{"id": "1", "text": "a", "labels": "stoff:ghb"}\n', "line 2: 'labels' must be a list"),
        ('"just a string"\n', "line 1: expected a JSON object"),
        ('{"id": "1", "text": "a", "labels": [], "mentions": [{"start": 0}]}\n',
         "line 1: bad record"),
    ],
)
def test_read_tagged_bad_lines(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "tagged.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(read_tagged(path))
    assert str(info.value).startswith(f"{path}: {message}")


@pytest.mark.parametrize("make", ["missing", "empty", "dir"])
def test_read_tagged_bad_files_fail_at_call(tmp_path: Path, make: str) -> None:
    path = tmp_path / "tagged.jsonl"
    if make == "empty":
        path.write_bytes(b"")
    elif make == "dir":
        path.mkdir()
    with pytest.raises(InputError, match=f"^{path}: "):
        read_tagged(path)
