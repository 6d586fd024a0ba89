"""Atomic writing of fritekst outputs: JSONL, tables (CSV, XLSX, Markdown), text, metadata.

Every writer goes through :func:`atomic_path`: the output is written to a temporary file
in the same folder and renamed over the target only when writing succeeded, so a failure
(an exception, bad input found half-way through a stream) never leaves a partial file.

Every output records its metadata (pipeline, codebook version and hash, counts) in a
sidecar ``<output>.meta.json`` written by :func:`write_meta`; XLSX tables may also carry
it in a ``metadata`` sheet.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fritekst.errors import FritekstError, InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "atomic_path",
    "write_jsonl",
    "write_table",
    "write_sheets",
    "write_text",
    "write_meta",
    "meta_path",
    "TABLE_SUFFIXES",
]

PathLike = str | Path

#: Table formats chosen by the output suffix.
TABLE_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".md")

_MAX_COL_WIDTH = 60
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it over ``path`` on success.

    The folder is created if needed. On an exception the temporary file is removed, the
    exception propagates and an existing ``path`` is left untouched.

    Raises:
        InputError: ``path`` is a directory.
        FritekstError: the folder cannot be created or written to.
    """
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{path}: is a directory; give an output file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as err:
        raise FritekstError(f"{path}: cannot write ({err.strerror})") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates the file 0600; give the output the usual permissions.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def meta_path(path: PathLike) -> Path:
    """The metadata sidecar of an output: ``<path>.meta.json``."""
    p = Path(path)
    return p.with_name(p.name + ".meta.json")


def write_meta(path: PathLike, meta: Mapping[str, Any]) -> Path:
    """Write the metadata sidecar ``<path>.meta.json`` of the output ``path``.

    ``meta`` holds what produced the output (pipeline name/version, codebook
    version/hash, counts ...). ``output`` (the file name), ``written_at`` (UTC, ISO 8601)
    and ``fritekst_version`` are added unless given. Values that are not JSON
    (paths, dates, numpy numbers) are written as strings or plain numbers.

    Returns:
        The sidecar's path.
    """
    from fritekst import __version__

    record: dict[str, Any] = {
        "output": Path(path).name,
        "written_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "fritekst_version": __version__,
    }
    record.update(meta)
    target = meta_path(path)
    with atomic_path(target) as tmp:
        tmp.write_text(
            json.dumps(record, ensure_ascii=False, indent=2, default=_json_default) + "\n",
            encoding="utf-8",
        )
    return target


def write_jsonl(path: PathLike, records: Iterable[Mapping[str, Any] | Any]) -> int:
    """Write one JSON object per line (UTF-8, non-ASCII kept), streaming ``records``.

    Items may be mappings or objects with a ``to_dict()`` method (e.g.
    :class:`~fritekst.records.TaggedRecord`). Nothing is written if iterating fails.

    Returns:
        The number of records written.
    """
    n = 0
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            data = rec.to_dict() if hasattr(rec, "to_dict") else rec
            fh.write(json.dumps(data, ensure_ascii=False, default=_json_default))
            fh.write("\n")
            n += 1
    return n


def write_text(path: PathLike, text: str) -> Path:
    """Write a text output (HTML, Markdown) atomically as UTF-8."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)


def write_table(
    path: PathLike,
    df: pd.DataFrame,
    sheet_name: str = "data",
    *,
    excel_csv: bool = False,
    meta: Mapping[str, Any] | None = None,
    float_format: str | None = None,
) -> Path:
    """Write a table as CSV, XLSX or Markdown, chosen by the suffix of ``path``.

    * ``.csv``: plain UTF-8, comma-separated, no index (the default that other tools
      read). ``excel_csv=True`` writes UTF-8 with BOM, ``;`` and decimal comma, which
      Norwegian Excel opens directly.
    * ``.xlsx``: one sheet ``sheet_name`` with a bold, frozen header row and column widths
      fitted to the content; ``meta`` (if given) goes into a ``metadata`` sheet too.
    * ``.md``: a Markdown table (pipes escaped, line breaks as ``<br>``; numeric columns
      right-aligned; floats as ``float_format``, default 4 significant digits).

    ``meta`` is only embedded in XLSX; use :func:`write_meta` for the sidecar.

    Raises:
        InputError: the suffix is not ``.csv``, ``.xlsx`` or ``.md``.
    """
    suffix = _table_suffix(path)
    if suffix == ".xlsx":
        return write_sheets(path, {sheet_name: df}, meta=meta)
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            if excel_csv:
                df.to_csv(tmp, index=False, sep=";", decimal=",", encoding="utf-8-sig",
                          lineterminator="\r\n")
            else:
                df.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
        else:
            tmp.write_text(markdown_table(df, float_format=float_format), encoding="utf-8")
    return Path(path)


def write_sheets(
    path: PathLike,
    sheets: Mapping[str, pd.DataFrame],
    *,
    meta: Mapping[str, Any] | None = None,
) -> Path:
    """Write several tables into one XLSX file, one sheet each (plus ``metadata``).

    Raises:
        InputError: ``path`` does not end in ``.xlsx``.
    """
    if Path(path).suffix.casefold() != ".xlsx":
        raise InputError(f"{path}: several sheets can only be written to .xlsx")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for name, df in sheets.items():
        ws = wb.create_sheet(_sheet_title(name, used))
        columns = [str(c) for c in df.columns]
        ws.append(columns)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = [len(c) for c in columns]
        for row in df.itertuples(index=False, name=None):
            values = [_excel_value(v) for v in row]
            ws.append(values)
            for j, v in enumerate(values):
                if isinstance(v, str) and v.startswith("="):
                    ws.cell(row=ws.max_row, column=j + 1).data_type = "s"  # text, no formula
                widths[j] = max(widths[j], _display_width(v))
        ws.freeze_panes = "A2"
        if columns:
            ws.auto_filter.ref = ws.dimensions
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(w + 2, _MAX_COL_WIDTH)
    if meta is not None:
        ws = wb.create_sheet(_sheet_title("metadata", used))
        ws.append(["key", "value"])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for key, value in meta.items():
            if not isinstance(value, (str, int, float, bool)) or value is None:
                value = json.dumps(value, ensure_ascii=False, default=_json_default)
            ws.append([str(key), _excel_value(value)])
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = _MAX_COL_WIDTH
    if not wb.worksheets:
        wb.create_sheet("data")
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


def markdown_table(df: pd.DataFrame, *, float_format: str | None = None) -> str:
    """Render a DataFrame as a GitHub-flavoured Markdown table (no index)."""
    import pandas as pd

    fmt = float_format or "{:.4g}"
    columns = [str(c) for c in df.columns]
    numeric = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
               for c in df.columns]

    def cell(v: Any) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            return ""
        if isinstance(v, float):
            return fmt.format(v)
        text = str(v)
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace(
            "\n", "<br>"
        )

    lines = [
        "| " + " | ".join(cell(c) for c in columns) + " |",
        "| " + " | ".join("---:" if num else "---" for num in numeric) + " |",
    ]
    for row in df.itertuples(index=False, name=None):
        lines.append("| " + " | ".join(cell(_py(v)) for v in row) + " |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def _table_suffix(path: PathLike) -> str:
    suffix = Path(path).suffix.casefold()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(
            f"{path}: unknown table format {suffix or '(no suffix)'!r}; "
            f"use {', '.join(TABLE_SUFFIXES)}"
        )
    return suffix


def _sheet_title(name: str, used: set[str]) -> str:
    base = (str(name).translate(_SHEET_FORBIDDEN).strip("'") or "data")[:31]
    title, i = base, 1
    while title.casefold() in used:
        i += 1
        title = f"{base[:28]}_{i}"
    used.add(title.casefold())
    return title


def _py(value: Any) -> Any:
    """numpy / pandas scalars -> plain Python."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    return value


def _excel_value(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    value = _py(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, (int, float, bool, dt.date, dt.datetime)):
        return value
    return str(value)


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:.4g}")
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
    py = _py(value)
    if py is not value:
        return py
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return str(value)
