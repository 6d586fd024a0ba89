"""Reading survey exports into plain :class:`~fritekst.records.Comment` records.

Formats: CSV (comma, semicolon, tab or pipe, detected), XLSX (the first sheet with data)
and JSONL (one JSON object per line). CSV text is decoded as UTF-8 (with or without BOM),
UTF-16 with BOM (Excel's "Unicode text"), else cp1252 (Norwegian Excel).

Double-encoded UTF-8 ("mojibake" such as ``pÃ¥`` for ``på``) is repaired cell by cell and
the number of repaired cells is reported in :attr:`ReadResult.warnings`; it is never kept
silently.

Columns are chosen by the ``*_col`` arguments or recognised from common Norwegian and
English headers (case- and space-insensitive). Two layouts are understood:

* **long**: one row per answer, with a text column (``kommentar``, ``svar``, ``tekst``,
  ``comment``, ``text``, ``fritekst`` ...) and optionally a question column. The comment id
  is the id column's value (or the 1-based data row number when there is no id column).
* **wide**: one row per respondent and one free-text column per question (recognised by
  question-like headers or mostly long text values). Each non-empty cell becomes one
  comment whose ``question`` is the column header and whose id is
  ``f"{respondent_id}:{q}"``, where ``q`` is the 1-based index of the question among the
  free-text columns (in file order) and ``respondent_id`` is the id column's value or the
  1-based data row number.

Week values (``28``, ``uke 28``, ``Uke 28 2020``, ``2020-W28``, ``2020-07-08``,
``08.07.2020``, Excel date cells) become ISO weeks such as ``2020-W28``; see
:func:`iso_week`. Empty answers (blank, whitespace, ``-``, ``–``, ``.``, ``nan`` ...) are
skipped and counted in :attr:`ReadResult.skipped_empty`.

Every problem raises :class:`~fritekst.errors.InputError` with a one-line message that
names the file, and the row and column where known.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fritekst.errors import InputError
from fritekst.records import Comment, TaggedRecord

__all__ = [
    "ReadResult",
    "read_comments",
    "read_tagged",
    "iso_week",
    "repair_mojibake",
    "is_empty_answer",
]

PathLike = str | Path

# ---------------------------------------------------------------------------------------
# Header recognition
# ---------------------------------------------------------------------------------------

#: Recognised header names per role, already normalised (see :func:`_norm_header`).
#: Defined once here; the order of the roles is the order in which columns are claimed.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": (
        "id", "respondent", "respondent id", "respondentid", "respondent nr",
        "respondentnummer", "løpenummer", "lopenummer", "løpenr", "lnr", "resp id",
        "response id", "responseid", "svar id", "svarid", "kommentar id", "comment id",
    ),
    "week": (
        "uke", "week", "ukenr", "uke nr", "ukenummer", "week number", "week no",
        "iso week", "isouke", "kartleggingsuke", "survey week",
    ),
    "date": (
        "dato", "date", "svardato", "innsendt", "innsendt dato", "submitted",
        "submit date", "timestamp", "tidspunkt", "tidsstempel", "date submitted",
    ),
    "year": ("år", "aar", "year", "årstall"),
    "region": (
        "landsdel", "region", "fylke", "korus", "korus region", "korusregion", "område",
    ),
    "question": (
        "spørsmål", "sporsmal", "spm", "question", "question id", "spørsmål id",
        "spørsmålstekst", "item",
    ),
    "text": (
        "kommentar", "kommentarer", "svar", "svartekst", "tekst", "comment", "comments",
        "text", "fritekst", "fritekstsvar", "answer", "response", "open answer",
    ),
}

ROLES: tuple[str, ...] = ("id", "week", "date", "year", "region", "question", "text")

#: Answers that count as empty (compared after strip and lower-casing).
EMPTY_ANSWERS: frozenset[str] = frozenset(
    {"", "-", "--", "–", "—", ".", "..", "...", "nan", "n/a", "null", "none"}
)

#: Answers of closed questions; a question-like column of mostly these is not free text.
CLOSED_ANSWERS: frozenset[str] = frozenset(
    {"ja", "nei", "vet ikke", "usikker", "yes", "no", "don't know", "økt", "økning",
     "uendret", "redusert", "nedgang", "lite", "middels", "mye", "ikke relevant"}
)

_CSV_SUFFIXES = {".csv", ".tsv", ".txt", ".tab"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
_DELIMITERS = (",", ";", "\t", "|")
_SINGLE_COLUMN = "\x1f"  # a delimiter that never occurs: one column per record


def _norm_header(name: str) -> str:
    """Lower-case a header and collapse everything but letters and digits to one space."""
    return " ".join(re.findall(r"[^\W_]+", name.casefold()))


@dataclass
class ReadResult:
    """What :func:`read_comments` read from one export.

    Attributes:
        comments: the non-empty answers, in file order.
        n_rows: data rows read (respondents in a wide export; blank rows not counted).
        skipped_empty: empty answers skipped (blank, ``-``, ``nan`` ...).
        warnings: one-line notes for the user (repaired mojibake, duplicate ids ...).
        columns: role -> source column, e.g. ``{"text": "Kommentar", "week": "Uke"}``;
            in a wide export the role ``"text"`` lists the question columns joined by
            ``" | "``.
        path: the file read.
        format: ``"csv"``, ``"xlsx"`` or ``"jsonl"``.
        layout: ``"long"`` or ``"wide"``.
        encoding: the text encoding (CSV/JSONL), else ``None``.
        delimiter: the CSV delimiter, else ``None``.
        sheet: the XLSX sheet read, else ``None``.
        questions: the question columns of a wide export, in order (index + 1 = ``q``).
    """

    comments: list[Comment]
    n_rows: int
    skipped_empty: int
    warnings: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    path: str = ""
    format: str = ""
    layout: str = "long"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    questions: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the user: what was read and how many empty answers were skipped."""
        where = self.format
        if self.delimiter is not None:
            where += f", delimiter {_DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))}"
        if self.encoding:
            where += f", {self.encoding}"
        if self.sheet:
            where += f", sheet {self.sheet!r}"
        if self.layout == "wide":
            where += f", wide: {len(self.questions)} question columns"
        return (
            f"{self.path}: {self.n_rows} rows ({where}) -> {len(self.comments)} comments, "
            f"{self.skipped_empty} empty answers skipped"
        )


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe",
                    _SINGLE_COLUMN: "none (one column)"}


@dataclass
class _Table:
    """A raw table: header names and data rows with their 1-based source row numbers."""

    header: list[str]
    rows: list[tuple[int, list[Any]]]
    format: str
    row_word: str = "row"  # "line" for JSONL
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------


def read_comments(
    path: PathLike,
    *,
    text_col: str | Sequence[str] | None = None,
    id_col: str | None = None,
    week_col: str | None = None,
    region_col: str | None = None,
    question_col: str | None = None,
    year: int | None = None,
    date_col: str | None = None,
    year_col: str | None = None,
) -> ReadResult:
    """Read a survey export (CSV, XLSX or JSONL) into comments.

    Args:
        path: the export.
        text_col: the free-text column (long layout). A sequence of several columns reads
            a wide export with exactly those question columns.
        id_col, week_col, region_col, question_col, date_col, year_col: column names
            overriding header recognition (matched exactly, else case/space-insensitively).
        year: the year for bare week numbers when neither the value nor a year or date
            column gives one.

    Returns:
        A :class:`ReadResult`.

    Raises:
        InputError: the file is missing, empty, binary, unreadable, has no recognisable
            text column, names a column that does not exist, or has an unparseable week.
    """
    p = Path(path)
    table = _load_table(p)
    name = str(path)

    repaired = _repair_table(table)
    warnings = list(table.warnings)
    if repaired:
        warnings.append(
            f"{name}: repaired double-encoded UTF-8 (mojibake such as 'pÃ¥' -> 'på') "
            f"in {repaired} cells"
        )

    header = table.header
    explicit = {
        "id": id_col, "week": week_col, "date": date_col, "year": year_col,
        "region": region_col, "question": question_col,
    }
    columns: dict[str, int] = {}
    for role, wanted in explicit.items():
        if wanted is not None:
            columns[role] = _find_named(name, header, wanted, role)

    text_cols: list[int] = []
    if isinstance(text_col, str):
        text_cols = [_find_named(name, header, text_col, "text")]
    elif text_col is not None:
        text_cols = [_find_named(name, header, c, "text") for c in text_col]
        if not text_cols:
            raise InputError(f"{name}: no text column given")

    # Recognise the remaining roles from the headers.
    claimed = set(columns.values()) | set(text_cols)
    for role in ROLES:
        if role in columns or (role == "text" and text_cols):
            continue
        idx = _recognise(header, role, claimed)
        if idx is not None:
            if role == "text":
                text_cols = [idx]
            else:
                columns[role] = idx
            claimed.add(idx)

    if text_col is None:
        # Without a question column, a wide export has one free-text column per
        # question; a recognised text column ("Kommentar") joins the question-like ones.
        free = _free_text_columns(table, claimed - set(text_cols))
        if not text_cols:
            text_cols = free if "question" not in columns else free[:1]
        elif "question" not in columns:
            extra = [i for i in free if i not in text_cols and _question_like(header[i])]
            text_cols = sorted(set(text_cols) | set(extra))
    if not text_cols:
        found = ", ".join(repr(h) for h in header)
        raise InputError(
            f"{name}: no free-text column recognised (columns found: {found}); "
            f"name it with --text-col"
        )

    wide = (text_col is None and "question" not in columns and _looks_wide(table, text_cols)) or (
        text_col is not None and not isinstance(text_col, str) and len(text_cols) > 1
    )
    if not wide and len(text_cols) > 1:
        text_cols = text_cols[:1]

    result = ReadResult(
        comments=[],
        n_rows=len(table.rows),
        skipped_empty=0,
        warnings=warnings,
        columns={role: header[i] for role, i in columns.items()},
        path=name,
        format=table.format,
        layout="wide" if wide else "long",
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheet=table.sheet,
    )
    if wide:
        result.questions = [header[i] for i in text_cols]
        result.columns["text"] = " | ".join(result.questions)
    else:
        result.columns["text"] = header[text_cols[0]]

    for data_no, (row_no, cells) in enumerate(table.rows, start=1):
        where = f"{name}: {table.row_word} {row_no}"
        rid = _plain(cells[columns["id"]]) if "id" in columns else ""
        if not rid:
            rid = str(data_no)
        week = _row_week(cells, columns, header, where, year)
        region = _plain(cells[columns["region"]]) if "region" in columns else None
        if wide:
            for q, ci in enumerate(text_cols, start=1):
                text = _text(cells[ci])
                if is_empty_answer(text):
                    result.skipped_empty += 1
                    continue
                result.comments.append(
                    Comment(id=f"{rid}:{q}", text=text, week=week, region=region or None,
                            question=header[ci], row=row_no)
                )
        else:
            text = _text(cells[text_cols[0]])
            if is_empty_answer(text):
                result.skipped_empty += 1
                continue
            question = _plain(cells[columns["question"]]) if "question" in columns else None
            result.comments.append(
                Comment(id=rid, text=text, week=week, region=region or None,
                        question=question or None, row=row_no)
            )

    if "week" not in columns and "date" not in columns and result.comments:
        found = ", ".join(repr(h) for h in header)
        result.warnings.append(
            f"{name}: no week or date column recognised (columns found: {found}); every "
            f"answer counts as week 'ukjent': name a week or date column with --week-col"
        )
    if not wide and "id" in columns:
        seen: set[str] = set()
        dups = 0
        for c in result.comments:
            dups += c.id in seen
            seen.add(c.id)
        if dups:
            result.warnings.append(
                f"{name}: {dups} comments share an id with an earlier one in column "
                f"{header[columns['id']]!r}; name a unique answer id with --id-col"
            )
    return result


def read_tagged(path: PathLike) -> Iterator[TaggedRecord]:
    """Stream the tagged records of a JSONL file written by ``fritekst tag``.

    The file is checked when this is called; records are parsed lazily.

    Raises:
        InputError: the file is missing, a directory or empty (at call time), or a line
            is not valid JSON or lacks a required key (while iterating; names the line).
    """
    p = Path(path)
    _check_file(p, str(path))
    return _iter_tagged(p, str(path))


_TAGGED_REQUIRED = ("id", "text", "labels")


def _json_object(line: str, name: str, line_no: int) -> dict[str, Any] | None:
    """One JSONL line as a dict; None for a blank line; InputError naming file and line."""
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(f"{name}: line {line_no}: invalid JSON ({err.msg}, column {err.colno})") from None
    if not isinstance(obj, dict):
        raise InputError(f"{name}: line {line_no}: expected a JSON object per line")
    return obj


def _iter_tagged(p: Path, name: str) -> Iterator[TaggedRecord]:
    with p.open("rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if b"\x00" in raw:
                raise InputError(f"{name}: line {line_no}: binary data, not JSONL")
            try:
                line = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError as err:
                raise InputError(
                    f"{name}: line {line_no}: not UTF-8 text ({err.reason})"
                ) from None
            data = _json_object(line, name, line_no)
            if data is None:
                continue
            missing = [k for k in _TAGGED_REQUIRED if k not in data]
            if missing:
                raise InputError(
                    f"{name}: line {line_no}: missing key(s) {', '.join(missing)}; "
                    f"is this the output of 'fritekst tag'?"
                )
            if not isinstance(data["labels"], list):
                raise InputError(f"{name}: line {line_no}: 'labels' must be a list")
            try:
                yield TaggedRecord.from_dict(data)
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                raise InputError(f"{name}: line {line_no}: bad record ({err})") from None


# ---------------------------------------------------------------------------------------
# Weeks
# ---------------------------------------------------------------------------------------

_WEEK_ISO = re.compile(r"^(\d{4})\s*-?\s*w\s*(\d{1,2})(?:\s*-?\s*\d)?$")
_WEEK_WORD = re.compile(
    r"^(?:(\d{4})\s*[-/,]?\s*)?(?:uke|veke|week|wk|w|u)\.?\s*(?:nr\.?\s*)?(\d{1,2})"
    r"(?:\s*[-/,.]?\s*(\d{4}))?$"
)
_WEEK_BARE = re.compile(r"^(\d{1,2})(?:\.0+)?(?:\s*[/-]\s*(\d{4}))?$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DATE_NO = re.compile(
    r"^(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})(?:[ t,]+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?$"
)


def iso_week(value: Any, year: int | None = None) -> str:
    """Turn a week or date value into an ISO week such as ``"2020-W28"``.

    Understood: week numbers (``28``, ``"28"``, ``28.0``), ``"uke 28"``, ``"Uke 28 2020"``,
    ``"uke 28/2020"``, ``"2020 uke 28"``, ``"week 28"``, ``"2020-W28"`` (also ``2020W28``
    and ``2020-W28-3``), dates ``"2020-07-08"`` (optionally with a time), ``"08.07.2020"``,
    ``"8/7/2020"``, ``"08.07.20"`` (day first, Norwegian), and ``datetime.date`` /
    ``datetime.datetime`` objects (Excel date cells). A date gives the ISO week of that
    date (``datetime.date.isocalendar``), so 2021-01-01 is ``2020-W53``.

    Args:
        value: the week or date.
        year: the year for a bare week number; a year in the value wins.

    Raises:
        InputError: the value cannot be read, the week does not exist in that year, or a
            bare week number has no year.
    """
    if isinstance(value, dt.datetime):
        return _week_of(value.date())
    if isinstance(value, dt.date):
        return _week_of(value)
    if isinstance(value, bool) or value is None:
        raise InputError(f"cannot read week {value!r}")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or not value.is_integer()):
            raise InputError(f"cannot read week {value!r}")
        return _week_number(int(value), year, value)
    text = " ".join(str(value).split()).casefold()
    # "Uke 28 (6.-12. juli)", "uke 28.": the parenthesis and a final dot add nothing.
    text = re.sub(r"\s*\([^()]*\)$", "", text).rstrip(". ")
    if not text:
        raise InputError("cannot read an empty week")
    if m := _WEEK_ISO.match(text):
        return _week_number(int(m[2]), int(m[1]), value, year_in_value=True)
    if m := _WEEK_WORD.match(text):
        y = m[1] or m[3]
        return _week_number(int(m[2]), int(y) if y else year, value, year_in_value=bool(y))
    if m := _WEEK_BARE.match(text):
        y = m[2]
        return _week_number(int(m[1]), int(y) if y else year, value, year_in_value=bool(y))
    if m := _DATE_ISO.match(text):
        return _week_of(_make_date(int(m[1]), int(m[2]), int(m[3]), value))
    if m := _DATE_NO.match(text):
        y = int(m[3])
        if len(m[3]) == 2:
            y += 2000
        return _week_of(_make_date(y, int(m[2]), int(m[1]), value))
    raise InputError(
        f"cannot read week {value!r} (expected e.g. 28, 'uke 28 2020', '2020-W28', "
        f"'2020-07-08' or '08.07.2020')"
    )


def _week_of(day: dt.date) -> str:
    iso = day.isocalendar()
    return f"{iso[0]}-W{iso[1]:02d}"


def _make_date(y: int, m: int, d: int, value: Any) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError as err:
        raise InputError(f"cannot read week {value!r}: not a valid date ({err})") from None


def _week_number(week: int, year: int | None, value: Any, *, year_in_value: bool = False) -> str:
    if year is None:
        raise InputError(
            f"week {value!r} has no year (add a year column or pass --year)"
        )
    if not 1900 <= year <= 2100:
        raise InputError(f"cannot read week {value!r}: year {year} out of range")
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InputError(
            f"cannot read week {value!r}: {year} has no ISO week {week}"
        ) from None
    return f"{year}-W{week:02d}"


# ---------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------


def is_empty_answer(text: str | None) -> bool:
    """True for answers that say nothing: blank, whitespace, ``-``, ``–``, ``.``, ``nan``."""
    return text is None or text.strip().casefold() in EMPTY_ANSWERS


def _plain(value: Any) -> str:
    """A cell as a stripped string (integral floats without ``.0``; ``None`` -> ``""``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _text(value: Any) -> str:
    """A free-text cell: stripped, with Windows/Mac line endings made ``\\n``."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return _plain(value)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value)
    )


def _row_week(
    cells: list[Any], columns: dict[str, int], header: list[str], where: str,
    year: int | None,
) -> str | None:
    """The ISO week of a row from its week column, else its date column."""
    row_year = year
    if "year" in columns:
        raw = cells[columns["year"]]
        if not _is_blank(raw):
            text = _plain(raw)
            if not re.fullmatch(r"\d{4}", text):
                raise InputError(
                    f"{where}, column {header[columns['year']]!r}: cannot read year {text!r}"
                )
            row_year = int(text)
    date_value = cells[columns["date"]] if "date" in columns else None
    if "date" in columns and not _is_blank(date_value) and row_year is None:
        try:
            row_year = int(iso_week(date_value)[:4])
        except InputError:
            pass  # reported below if the date is what the week comes from
    for role in ("week", "date"):
        if role in columns and not _is_blank(raw := cells[columns[role]]):
            try:
                return iso_week(raw, row_year)
            except InputError as err:
                raise InputError(f"{where}, column {header[columns[role]]!r}: {err}") from None
    return None


# ---------------------------------------------------------------------------------------
# Mojibake
# ---------------------------------------------------------------------------------------

# Runs of characters that can be the cp1252/latin-1 reading of UTF-8 multi-byte sequences:
# a lead byte (U+00C2-U+00F4 as latin-1) followed by one or more continuation characters.
_MOJIBAKE_RUN = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u20ac\u2122]+"
)


def _to_byte(ch: str) -> int | None:
    try:
        return ch.encode("cp1252")[0]
    except UnicodeEncodeError:
        return ord(ch) if ord(ch) < 256 else None


def _fix_run(match: re.Match[str]) -> str:
    run = match.group(0)
    raw = [_to_byte(c) for c in run]
    if any(b is None for b in raw):
        return run
    try:
        return bytes(raw).decode("utf-8")  # type: ignore[arg-type]
    except UnicodeDecodeError:
        # A run may end with a character that is legitimately there; try a shorter run.
        for end in range(len(raw) - 1, 1, -1):
            try:
                return bytes(raw[:end]).decode("utf-8") + run[end:]  # type: ignore[arg-type]
            except UnicodeDecodeError:
                continue
        return run


def repair_mojibake(text: str) -> str:
    """Repair UTF-8 text that was decoded as cp1252/latin-1 ("pÃ¥" -> "på").

    Only runs that decode as valid UTF-8 are replaced, so correct text (``"på"``,
    ``"Øst"``) is left alone and a mixed cell is repaired where it is broken. Applied up
    to twice for text that was double-encoded twice.
    """
    for _ in range(2):
        fixed = _MOJIBAKE_RUN.sub(_fix_run, text)
        if fixed == text:
            break
        text = fixed
    return text


def _repair_table(table: _Table) -> int:
    """Repair mojibake in the header and every string cell; return the cells repaired."""
    count = 0
    for i, h in enumerate(table.header):
        fixed = repair_mojibake(h)
        if fixed != h:
            table.header[i] = fixed
            count += 1
    for _, cells in table.rows:
        for i, v in enumerate(cells):
            if isinstance(v, str) and not v.isascii():
                fixed = repair_mojibake(v)
                if fixed != v:
                    cells[i] = fixed
                    count += 1
    return count


# ---------------------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------------------


def _find_named(name: str, header: list[str], wanted: str, role: str) -> int:
    if wanted in header:
        return header.index(wanted)
    key = _norm_header(wanted)
    for i, h in enumerate(header):
        if _norm_header(h) == key:
            return i
    found = ", ".join(repr(h) for h in header)
    raise InputError(f"{name}: no column {wanted!r} for --{role}-col (columns found: {found})")


def _recognise(header: list[str], role: str, claimed: set[int]) -> int | None:
    """The first unclaimed column whose normalised header is a synonym of ``role``."""
    synonyms = HEADER_SYNONYMS[role]
    normed = [_norm_header(h) for h in header]
    for i, h in enumerate(normed):
        if i not in claimed and h in synonyms:
            return i
    # "Uke nr.", "Kommentar (fritekst)", "Landsdel/region": a short header that starts
    # with a synonym.
    for i, h in enumerate(normed):
        if i in claimed or len(h.split()) > 3:
            continue
        if any(h.startswith(s + " ") for s in synonyms):
            return i
    return None


def _question_like(header: str) -> bool:
    h = header.strip()
    return h.endswith("?") or len(_norm_header(h).split()) >= 5


def _column_values(table: _Table, idx: int) -> list[str]:
    return [t for _, cells in table.rows if not is_empty_answer(t := _plain(cells[idx]))]


#: A column with at least this many answers but no more than CATEGORY_MAX_VALUES different
#: ones is a closed category, not free text, even when its values are long.
CATEGORY_MIN_ROWS = 20
CATEGORY_MAX_VALUES = 10


def _is_free_text(header: str, values: list[str]) -> bool:
    """Whether a column holds free text: mostly long values, or a question header with
    varied (not yes/no or numeric) answers."""
    if not values:
        return _question_like(header)
    numeric = sum(bool(re.fullmatch(r"[-+]?\d+(?:[.,]\d+)?", v)) for v in values)
    if numeric / len(values) >= 0.8:
        return False
    distinct = len({v.casefold() for v in values})
    if len(values) >= CATEGORY_MIN_ROWS and distinct <= CATEGORY_MAX_VALUES:
        return False  # a closed category ("Mellom 5 000 og 20 000 innbyggere"), however long
    long = sum(len(v) >= 25 or len(v.split()) >= 4 for v in values)
    if long / len(values) >= 0.5:
        return True
    if not _question_like(header):
        return False
    closed = sum(v.casefold().rstrip(".") in CLOSED_ANSWERS for v in values)
    if closed / len(values) >= 0.8:
        return False
    multiword = sum(len(v.split()) >= 2 for v in values)
    return distinct / len(values) >= 0.5 and (distinct > 2 or multiword / len(values) >= 0.5)


def _free_text_columns(table: _Table, claimed: set[int]) -> list[int]:
    return [
        i for i, h in enumerate(table.header)
        if i not in claimed and _is_free_text(h, _column_values(table, i))
    ]


def _looks_wide(table: _Table, text_cols: list[int]) -> bool:
    """A wide export: several free-text columns, or one whose header is a question."""
    if len(text_cols) > 1:
        return True
    h = table.header[text_cols[0]]
    return _norm_header(h) not in HEADER_SYNONYMS["text"] and _question_like(h)


# ---------------------------------------------------------------------------------------
# Loading tables
# ---------------------------------------------------------------------------------------


def _check_file(p: Path, name: str) -> None:
    if not p.exists():
        raise InputError(f"{name}: no such file")
    if p.is_dir():
        raise InputError(f"{name}: is a directory, not a file")
    try:
        size = p.stat().st_size
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err.strerror})") from None
    if size == 0:
        raise InputError(f"{name}: the file is empty")


def _load_table(p: Path) -> _Table:
    name = str(p)
    _check_file(p, name)
    try:
        data = p.read_bytes()
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err.strerror})") from None
    suffix = p.suffix.casefold()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{name}: old Excel (.xls) format; save it as .xlsx or CSV")
    if data.startswith(b"PK\x03\x04"):
        table = _load_xlsx(data, name)
    elif suffix in _XLSX_SUFFIXES:
        raise InputError(f"{name}: not a valid XLSX file (not a zip archive)")
    else:
        text, encoding = _decode(data, name)
        if not text.strip():
            raise InputError(f"{name}: the file is empty")
        is_jsonl = suffix in _JSONL_SUFFIXES or (
            suffix not in _CSV_SUFFIXES and text.lstrip().startswith("{")
        )
        table = _load_jsonl(text, name) if is_jsonl else _load_csv(text, name)
        table.encoding = encoding
    if not table.rows:
        raise InputError(f"{name}: no data rows below the header")
    return table


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode text: UTF-16 with BOM, else UTF-8 (BOM optional), else cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError(f"{name}: not readable as UTF-16 text") from None
    if b"\x00" in data[:65536]:
        raise InputError(f"{name}: binary file (contains NUL bytes), not a text export")
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            encoding = "cp1252"
        except UnicodeDecodeError as err:
            raise InputError(
                f"{name}: not readable as UTF-8 or cp1252 text (byte {err.start}); "
                f"a binary file?"
            ) from None
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > max(8, len(text[:65536]) // 100):
        raise InputError(f"{name}: binary file (control characters), not a text export")
    return text, encoding


def _parse_csv(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[list[str]] = []
    for rec in reader:
        out.append(rec)
        if limit is not None and len(out) >= limit:
            break
    return out


def _sniff_delimiter(text: str) -> str:
    """Pick the delimiter whose parse gives a multi-column header that the data rows
    agree with; ``csv.Sniffer`` breaks ties. One column when none fits."""
    scores: dict[str, tuple[float, int]] = {}
    for d in _DELIMITERS:
        try:
            recs = [r for r in _parse_csv(text, d, limit=200) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not recs:
            continue
        at = _header_index(recs)  # the header may be below a title line
        if len(recs[at]) < 2:
            continue
        width = len(recs[at])
        body = recs[at + 1:] or recs[at:]
        agree = sum(len(r) == width for r in body) / len(body)
        scores[d] = (agree, width)
    if not scores:
        return _SINGLE_COLUMN
    best = max(scores.values())[0]
    tied = [d for d, s in scores.items() if s[0] == best]
    if len(tied) > 1:
        try:
            sniffed = csv.Sniffer().sniff(text[:20000], delimiters="".join(tied)).delimiter
            if sniffed in tied:
                return sniffed
        except csv.Error:
            pass
        return max(tied, key=lambda d: scores[d][1])
    return tied[0]


def _load_csv(text: str, name: str) -> _Table:
    # Excel's "sep=;" first line names the delimiter; it is not a row of the table
    hint = re.match(r"\ufeff?sep=(.)[ \t]*\r?\n", text)
    delimiter = hint.group(1) if hint else _sniff_delimiter(text)
    try:
        records = _parse_csv(text[hint.end():] if hint else text, delimiter)
    except csv.Error as err:
        raise InputError(f"{name}: cannot parse CSV ({err})") from None
    first = 2 if hint else 1  # row numbers stay the file's line numbers
    numbered: list[tuple[int, list[Any]]] = [
        (i, rec) for i, rec in enumerate(records, start=first) if any(c.strip() for c in rec)
    ]
    table = _table_from_rows(numbered, name, "csv")
    table.delimiter = delimiter
    return table


def _table_from_rows(
    numbered: list[tuple[int, list[Any]]], name: str, fmt: str
) -> _Table:
    """Header = the first non-blank row, or the one below a title (``_header_index``); rows
    padded to the header's width."""
    if not numbered:
        raise InputError(f"{name}: the file is empty")
    at = _header_index([cells for _, cells in numbered])
    header_row, raw_header = numbered[at]
    header = _unique_header([_plain(h) for h in raw_header])
    width = len(header)
    rows: list[tuple[int, list[Any]]] = []
    overflow = 0
    skipped_title = [numbered[i][0] for i in range(at)]
    for row_no, cells in numbered[at + 1:]:
        cells = list(cells)
        if len(cells) > width:
            if any(not _is_blank(c) for c in cells[width:]):
                overflow += 1
            cells = cells[:width]
        cells.extend([None] * (width - len(cells)))
        rows.append((row_no, cells))
    table = _Table(header=header, rows=rows, format=fmt)
    if skipped_title:
        rows_above = ("row " if len(skipped_title) == 1 else "rows ") + ", ".join(map(str, skipped_title))
        table.warnings.append(
            f"{name}: the header is row {header_row}; skipped {rows_above} above it (a title "
            f"or group headings, starting {_first_cell(numbered[0][1])!r})"
        )
    if overflow:
        table.warnings.append(
            f"{name}: {overflow} rows have more cells than the header; the extra cells "
            f"were ignored"
        )
    return table


#: How far down a header row below a title is looked for.
HEADER_SEARCH_ROWS = 10


_KNOWN_HEADERS = frozenset(s for synonyms in HEADER_SYNONYMS.values() for s in synonyms)


def _known_headers(cells: list[Any]) -> int:
    """How many cells of a row are column names that fritekst recognises ("Uke", "Kommentar")."""
    return sum(_norm_header(_plain(c)) in _KNOWN_HEADERS for c in cells)


def _header_index(rows: list[list[Any]]) -> int:
    """Which of the non-blank ``rows`` is the header: the first, unless rows above the
    header hold a title or group headings.

    Exports from survey tools and hand-made workbooks often start with a title line
    ("Korona og rus – eksport uke 28"), or a row of group headings over merged cells
    ("Bakgrunn", "Fritekst"), before the real header. Within the first few rows, the first
    row with more filled cells than the first is the header if it names more known columns
    than the first row, and at least one below a one-cell title, two below group headings
    (which may themselves be a known name: "Fritekst"). Otherwise the first row is the
    header.
    """
    known_first, widest = _known_headers(rows[0]), _filled(rows[0])
    for k, cells in enumerate(rows[1:HEADER_SEARCH_ROWS], start=1):
        if _filled(cells) > max(widest, 1):
            known = _known_headers(cells)
            return k if known >= (1 if widest == 1 else 2) and known > known_first else 0
    return 0


def _filled(cells: list[Any]) -> int:
    return sum(not _is_blank(c) for c in cells)


def _first_cell(cells: list[Any]) -> str:
    return next((_plain(c) for c in cells if not _is_blank(c)), "")


def _unique_header(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out: list[str] = []
    for i, n in enumerate(names, start=1):
        n = n or f"column {i}"
        if n in seen:
            seen[n] += 1
            n = f"{n}.{seen[n]}"
        else:
            seen[n] = 1
        out.append(n)
    return out


def _load_xlsx(data: bytes, name: str) -> _Table:
    """Read the first worksheet that has a header and at least one data row."""
    import openpyxl  # imported here: only XLSX reading needs it

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise InputError(f"{name}: not a valid XLSX file ({err})") from None
    try:
        for ws in wb.worksheets:
            numbered = [
                (i, list(row))
                for i, row in enumerate(ws.iter_rows(values_only=True), start=1)
                if any(not _is_blank(v) for v in row)
            ]
            if len(numbered) >= 2:
                # Trim trailing empty header columns that have no data.
                table = _table_from_rows(_trim_columns(numbered), name, "xlsx")
                table.sheet = ws.title
                return table
    finally:
        wb.close()
    raise InputError(f"{name}: no worksheet with a header and data rows (the XLSX has no data)")


def _trim_columns(numbered: list[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
    used = 0
    for _, row in numbered:
        for j in range(len(row) - 1, -1, -1):
            if not _is_blank(row[j]):
                used = max(used, j + 1)
                break
    return [(i, row[:used]) for i, row in numbered]


def _load_jsonl(text: str, name: str) -> _Table:
    """One JSON object per line; the header is the union of keys in first-seen order."""
    keys: dict[str, None] = {}
    objects: list[tuple[int, dict[str, Any]]] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        obj = _json_object(line, name, line_no)
        if obj is None:
            continue
        for k in obj:
            keys.setdefault(str(k), None)
        objects.append((line_no, {str(k): v for k, v in obj.items()}))
    header = list(keys)
    rows = [
        (line_no, [_json_cell(obj.get(k)) for k in header]) for line_no, obj in objects
    ]
    return _Table(header=header, rows=rows, format="jsonl", row_word="line")


def _json_cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value
