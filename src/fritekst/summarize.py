"""Tagged records -> frequency tables (pandas; no spaCy).

``summarize`` counts, for every group (ISO week, optionally region and question) and every
codebook label, how many answers in the group *assert* the label (negated mentions do not
count), the share of answers, a Wilson 95% interval for the share, and the change of the
share since the previous survey week in percentage points.

Decisions, documented once here:

- Records without a week (or region / question when grouped by them) are grouped under
  ``UNKNOWN`` ("ukjent"), which sorts after every real value and never gets a ``change_pp``.
- Groups are the combinations that occur in the data; a region without answers in a week has
  no row for that week (its share is undefined, not zero).
- "Previous week" is the previous survey week present anywhere in the data (the survey ran
  every week, later every second week). If a group had no answers that week its
  ``change_pp`` is empty: we never compare across a gap.
- Labels that are not in the codebook are not counted; their ids are listed in
  ``df.attrs["unknown_labels"]`` so the caller can warn.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from fritekst.errors import InputError
from fritekst.records import TaggedRecord

if TYPE_CHECKING:
    from fritekst.codebook import Codebook

UNKNOWN = "ukjent"
"""Group value for records without a week, region or question."""

SMALL_N = 10
"""Groups with fewer answers than this are flagged ``small_n``."""

Z95 = 1.959963984540054
"""Two-sided 95% normal quantile used by the Wilson interval."""

GROUP_KEYS = ("week", "region", "question")
"""The fields a summary can be grouped by, in column order."""

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")
_NORWEGIAN_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def wilson_interval(n: int, total: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for ``n`` successes out of ``total``.

    Args:
        n: Number of answers asserting the label.
        total: Number of answers in the group (must be > 0).
        z: Normal quantile; the default gives a two-sided 95% interval.

    Returns:
        ``(low, high)``, both within [0, 1].
    """
    if total <= 0:
        raise ValueError("total must be positive")
    p = n / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def week_sort_key(week: str) -> tuple[int, int, int, str]:
    """Chronological sort key for ISO weeks ("2020-W28"); other values after, ``ukjent`` last."""
    m = _ISO_WEEK.match(week)
    if m:
        return (0, int(m.group(1)), int(m.group(2)), "")
    return (2 if week == UNKNOWN else 1, 0, 0, week)


def text_sort_key(value: str) -> tuple[int, str]:
    """Norwegian alphabetical sort key (æ, ø, å after z); ``ukjent`` last."""
    return (1 if value == UNKNOWN else 0, value.casefold().translate(_NORWEGIAN_ORDER))


def _group_value(record: TaggedRecord, key: str) -> str:
    value = getattr(record, key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return UNKNOWN
    return str(value)


def normalize_by(by: Sequence[str] | str) -> tuple[str, ...]:
    """Validate grouping keys and return them in column order (week, region, question).

    Raises:
        InputError: when ``by`` lacks ``week`` or names an unknown field.
    """
    keys = (by,) if isinstance(by, str) else tuple(by)
    unknown = [k for k in keys if k not in GROUP_KEYS]
    if unknown:
        raise InputError(
            f"cannot group by {', '.join(unknown)}: choose from {', '.join(GROUP_KEYS)}"
        )
    if "week" not in keys:
        raise InputError("grouping must include week (e.g. --by week --by region)")
    return tuple(k for k in GROUP_KEYS if k in keys)


def summarize(
    records: Iterable[TaggedRecord],
    by: Sequence[str] | str = ("week",),
    codebook: Codebook | None = None,
    family: str | None = None,
) -> pd.DataFrame:
    """Count asserted labels per group and label.

    Streams over ``records`` once, keeping only counts in memory.

    Args:
        records: Tagged records (e.g. from ``fritekst.read.read_tagged``).
        by: Grouping fields; must include ``"week"``, may add ``"region"``, ``"question"``.
        codebook: The label set; the packaged default when None.
        family: Keep only labels of this family (``stoff``, ``bekymring``, ``tiltak``).

    Returns:
        One row per group and codebook label with the columns ``week``, [``region``],
        [``question``], ``label``, ``n_answers``, ``n``, ``share``, ``ci_low``, ``ci_high``,
        ``change_pp``, ``small_n``. Groups are sorted (weeks chronologically), labels in
        codebook order. Values are exact; ``rounded`` gives the copy that
        ``write_summary`` writes (``share``/``ci_*`` to 4 decimals, ``change_pp`` to 2).

    Raises:
        InputError: for bad grouping keys or an unknown family.
    """
    keys = normalize_by(by)
    if codebook is None:
        from fritekst.codebook import load_codebook

        codebook = load_codebook()
    labels = [lab.id for lab in codebook.labels]
    if family is not None:
        families = {lab.family for lab in codebook.labels}
        if family not in families:
            raise InputError(
                f"unknown label family {family!r}: choose from {', '.join(sorted(families))}"
            )
        labels = [lab.id for lab in codebook.labels if lab.family == family]
    all_ids = {lab.id for lab in codebook.labels}

    answers: Counter[tuple[str, ...]] = Counter()
    asserted: Counter[tuple[tuple[str, ...], str]] = Counter()
    unknown_labels: set[str] = set()
    for rec in records:
        group = tuple(_group_value(rec, k) for k in keys)
        answers[group] += 1
        for label in set(rec.labels):
            if label in all_ids:
                asserted[(group, label)] += 1
            else:
                unknown_labels.add(label)

    columns = [*keys, "label", "n_answers", "n", "share", "ci_low", "ci_high", "change_pp", "small_n"]

    def group_key(group: tuple[str, ...]) -> tuple:
        return tuple(
            week_sort_key(v) if k == "week" else text_sort_key(v) for k, v in zip(keys, group)
        )

    groups = sorted(answers, key=group_key)
    weeks = sorted({g[0] for g in groups if g[0] != UNKNOWN}, key=week_sort_key)
    previous_week = {w: (weeks[i - 1] if i else None) for i, w in enumerate(weeks)}

    shares = {(group, label): asserted[(group, label)] / answers[group] for group in groups for label in labels}
    rows: list[list[object]] = []
    for group in groups:
        total = answers[group]
        # change since the previous survey week, same rest-of-group and label
        prev_group = (previous_week.get(group[0]), *group[1:])
        for label in labels:
            n = asserted[(group, label)]
            share = shares[(group, label)]
            prev_share = shares.get((prev_group, label))
            change = None if prev_share is None else (share - prev_share) * 100
            low, high = wilson_interval(n, total)
            rows.append([*group, label, total, n, share, low, high, change, total < SMALL_N])

    df = pd.DataFrame(rows, columns=columns)
    df = df.astype(
        {
            "n_answers": "int64",
            "n": "int64",
            "share": "float64",
            "ci_low": "float64",
            "ci_high": "float64",
            "change_pp": "float64",
            "small_n": "bool",
        }
    )
    df.attrs["unknown_labels"] = sorted(unknown_labels)
    return df


def rounded(df: pd.DataFrame) -> pd.DataFrame:
    """A copy for writing out: ``share``/``ci_*`` to 4 decimals, ``change_pp`` to 2.

    Only written tables are rounded: a report that formats an already rounded share again
    would round twice (3/76 = 3.947 % -> 0.0395 -> "4,0 %" instead of "3,9 %").
    """
    out = df.copy()
    for col in ("share", "ci_low", "ci_high"):
        out[col] = out[col].round(4)
    out["change_pp"] = out["change_pp"].round(2)
    return out


def write_summary(
    tagged_path: str | Path,
    out_path: str | Path,
    *,
    by: Sequence[str] | str = ("week",),
    codebook: Codebook | None = None,
    family: str | None = None,
) -> pd.DataFrame:
    """Summarize a tagged JSONL file and write the table (CSV/XLSX/Markdown by suffix).

    The table is written atomically, with its metadata in ``<out_path>.meta.json`` (and a
    ``metadata`` sheet in XLSX). Returns the table.
    """
    from fritekst.read import read_tagged
    from fritekst.write import write_meta, write_table

    keys = normalize_by(by)
    if codebook is None:
        from fritekst.codebook import load_codebook

        codebook = load_codebook()
    table_suffix = Path(out_path).suffix.lower()
    if table_suffix not in (".csv", ".xlsx", ".md"):
        raise InputError(f"{out_path}: output must end in .csv, .xlsx or .md")
    df = rounded(summarize(read_tagged(tagged_path), by=keys, codebook=codebook, family=family))
    meta = {
        "kind": "summary",
        "input": str(tagged_path),
        "by": list(keys),
        "family": family,
        "codebook": {"version": codebook.version, "sha256": codebook.sha256},
        "counts": {
            "rows": len(df),
            "groups": int(df[list(keys)].drop_duplicates().shape[0]) if len(df) else 0,
            "answers": int(df.drop_duplicates(list(keys))["n_answers"].sum()) if len(df) else 0,
        },
        "unknown_labels": df.attrs.get("unknown_labels", []),
        "small_n_below": SMALL_N,
    }
    write_table(out_path, df, sheet_name="uketabell", meta=meta)
    write_meta(out_path, meta)
    return df
