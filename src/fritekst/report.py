"""Tagged records -> a Norwegian weekly report (HTML or Markdown), via jinja2.

``build_report`` turns tagged records into a plain context (tables, key findings, chart
geometry, quotes, methods); ``render_report`` renders it with ``templates/report.html.j2``
(autoescape on: comment text can never inject markup) or ``templates/report.md.j2`` (every
expression is Markdown-escaped). ``write_report`` does both for a tagged JSONL file and
writes the result atomically with its ``.meta.json`` sidecar. No spaCy import here; the
quotes are redacted by ``fritekst.redact`` (which loads the pipeline) unless switched off.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd

from fritekst import __version__
from fritekst.errors import InputError
from fritekst.quotes import Quote, select_quotes
from fritekst.records import TaggedRecord
from fritekst.summarize import SMALL_N, UNKNOWN, summarize, text_sort_key, week_sort_key

if TYPE_CHECKING:
    from fritekst.codebook import Codebook

FAMILY_ORDER = ("stoff", "bekymring", "tiltak")
FAMILY_TITLES = {"stoff": "Rusmidler", "bekymring": "Bekymringer", "tiltak": "Tiltak"}
MAX_TABLE_WEEKS = 8
"""Weekly tables and charts show at most this many of the most recent weeks."""
CHART_SERIES = 5
"""Labels per family drawn in the trend chart (the most frequent over the period)."""
FINDING_MIN_PP = 5.0
"""Changes smaller than this (percentage points) are not key findings."""
MAX_FINDINGS = 4

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")

# Line styles and markers that stay distinct in greyscale print.
_STYLES = [
    {"color": "#1f3b73", "dash": "", "marker": "circle"},
    {"color": "#b3541e", "dash": "7 4", "marker": "square"},
    {"color": "#2e7d4f", "dash": "2 3", "marker": "triangle"},
    {"color": "#6a3d9a", "dash": "10 3 2 3", "marker": "diamond"},
    {"color": "#4d4d4d", "dash": "1 6", "marker": "cross"},
    {"color": "#8c1c4b", "dash": "12 6", "marker": "x"},
]

_REDACTION_NAMES = {
    "NAVN": "navn",
    "TELEFON": "telefonnumre",
    "EPOST": "e-postadresser",
    "FØDSELSNUMMER": "fødselsnumre",
    "KONTONUMMER": "kontonumre",
    "ADRESSE": "adresser",
    "STED": "stedsnavn",
}


# --------------------------------------------------------------------------- formatting


def week_label(week: str, with_year: bool = False) -> str:
    """``2020-W28`` -> ``uke 28`` (``uke 28 2020`` with the year); other values unchanged."""
    m = _ISO_WEEK.match(week)
    if not m:
        return "ukjent uke" if week == UNKNOWN else week
    return f"uke {int(m.group(2))}" + (f" {m.group(1)}" if with_year else "")


def pct(share: float | None, decimals: int = 1) -> str:
    """0.25 -> ``25,0 %`` (Norwegian decimal comma)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{share * 100:.{decimals}f}".replace(".", ",") + " %"


def num(value: float, decimals: int = 1) -> str:
    """Number with a Norwegian decimal comma."""
    return f"{value:.{decimals}f}".replace(".", ",")


def pp(change: float | None) -> str:
    """Signed change in percentage points, e.g. ``+5,0 p.p.``; ``–`` when missing."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return "–"
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    return f"{sign}{num(abs(change))} p.p."


def _in_sentence(name: str) -> str:
    """Lower-case a display name for use inside a sentence, unless it is an acronym."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


# --------------------------------------------------------------------------- metadata


def read_sidecar_meta(path: str | Path) -> dict[str, Any] | None:
    """Read ``<path>.meta.json`` written next to an output, or None if there is none.

    Raises:
        InputError: when the sidecar exists but is not a JSON object.
    """
    meta_path = Path(f"{path}.meta.json")
    if not meta_path.exists():
        return None
    try:
        data = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"{meta_path}: cannot read metadata: {err}") from None
    if not isinstance(data, dict):
        raise InputError(f"{meta_path}: metadata must be a JSON object")
    return data


def _find(meta: dict[str, Any], *names: str) -> Any:
    """First value found under any of ``names`` at the top level or one level down."""
    for name in names:
        if name in meta and meta[name] not in (None, ""):
            return meta[name]
    for value in meta.values():
        if isinstance(value, dict):
            for name in names:
                if name in value and value[name] not in (None, ""):
                    return value[name]
    return None


def _describe(value: Any) -> str | None:
    """Short description of a pipeline or classifier entry of the metadata.

    ``{"name": "nb_fritekst", "version": "0.1.0", "components": [...]}`` ->
    ``nb_fritekst 0.1.0 (komponenter: ...)``; a classifier entry
    (``{"class": ..., "labels": [...], "meta": {"n_train": ...}}``) -> ``LabelClassifier,
    27 etiketter, trent på 510 eksempler``.
    """
    if value is None:
        return None
    if not isinstance(value, dict):
        return str(value)
    name = str(value.get("name") or value.get("class") or value.get("path") or "")
    lang = str(value.get("lang") or "")
    if name and lang and not name.startswith(lang):
        name = f"{lang}_{name}"
    version = value.get("version")
    text = " ".join(p for p in (name, str(version) if version else "") if p) or "ukjent"
    extra = []
    if value.get("components"):
        extra.append("komponenter: " + ", ".join(str(c) for c in value["components"]))
    if isinstance(value.get("labels"), list):
        extra.append(f"{len(value['labels'])} etiketter")
    inner = value.get("meta") if isinstance(value.get("meta"), dict) else {}
    if inner.get("n_train"):
        extra.append(f"trent på {inner['n_train']} eksempler")
    return text + (f" ({'; '.join(extra)})" if extra else "")


def _methods(meta: dict[str, Any] | None, codebook: Codebook, n_answers: int) -> dict[str, Any]:
    meta = meta or {}
    pipeline = _describe(_find(meta, "pipeline", "base", "nlp"))
    classifier_raw = meta.get("classifier")
    if classifier_raw is None and isinstance(meta.get("tagger"), dict):
        classifier_raw = meta["tagger"].get("classifier")
    classifier = _describe(classifier_raw) if classifier_raw else None
    cb_meta = meta.get("codebook") if isinstance(meta.get("codebook"), dict) else {}
    tagged_sha = cb_meta.get("sha256") or meta.get("codebook_sha256")
    tagged_version = cb_meta.get("version") or meta.get("codebook_version")
    return {
        "pipeline": pipeline,
        "classifier": classifier,
        "codebook_version": codebook.version,
        "codebook_sha": str(codebook.sha256)[:12],
        "tagged_codebook_version": tagged_version,
        "codebook_mismatch": bool(tagged_sha) and str(tagged_sha) != str(codebook.sha256),
        "n_answers": n_answers,
        "n_rows": _find(meta, "n_rows", "rows"),
        "skipped_empty": _find(meta, "skipped_empty", "n_skipped_empty", "empty"),
        "source": _find(meta, "input", "source", "input_path"),
        "has_meta": bool(meta),
    }


# --------------------------------------------------------------------------- tables


def _cell(row: pd.Series) -> dict[str, Any]:
    return {
        "n": int(row["n"]),
        "n_answers": int(row["n_answers"]),
        "share": float(row["share"]),
        "pct": pct(row["share"]),
        "ci": f"{num(row['ci_low'] * 100)}–{num(row['ci_high'] * 100)}",
        "change": pp(row["change_pp"]),
        "small_n": bool(row["small_n"]),
    }


def _chart(family_rows: pd.DataFrame, weeks: list[str], names: dict[str, str], multi_year: bool) -> dict[str, Any]:
    """Geometry of a static SVG line chart: share (%) per week for the top labels."""
    totals = family_rows.groupby("label", sort=False)["n"].sum()
    top = [lab for lab in totals.sort_values(ascending=False, kind="stable").index if totals[lab] > 0][:CHART_SERIES]
    width, height = 680, 300
    left, right, top_m, bottom = 52, 16, 16, 40
    plot_w, plot_h = width - left - right, height - top_m - bottom
    sub = family_rows[family_rows["label"].isin(top)]
    max_share = float(sub["share"].max()) if len(sub) else 0.0
    y_max = max(10, math.ceil(max_share * 100 / 10) * 10)
    step = 5 if y_max <= 20 else (10 if y_max <= 50 else 20)

    pad = 18  # keep the first and last points off the axes

    def x(i: int) -> float:
        if len(weeks) == 1:
            return left + plot_w / 2
        return left + pad + (plot_w - 2 * pad) * i / (len(weeks) - 1)

    def y(share: float) -> float:
        return top_m + plot_h * (1 - share * 100 / y_max)

    series = []
    for idx, lab in enumerate(top):
        rows = sub[sub["label"] == lab].set_index("week")
        points = []
        for i, w in enumerate(weeks):
            if w in rows.index:
                r = rows.loc[w]
                points.append(
                    {
                        "x": round(x(i), 1),
                        "y": round(y(float(r["share"])), 1),
                        "small_n": bool(r["small_n"]),
                        "title": f"{names[lab]}, {week_label(w, multi_year)}: {pct(r['share'])} (n={int(r['n'])})",
                    }
                )
        style = _STYLES[idx % len(_STYLES)]
        path = " ".join(("M" if j == 0 else "L") + f"{p['x']},{p['y']}" for j, p in enumerate(points))
        series.append({"label": lab, "name": names[lab], "points": points, "path": path, **style})
    columns = 2 if all(len(s["name"]) <= 40 for s in series) else 1
    legend_rows = math.ceil(len(series) / columns)
    legend_h = 22 * legend_rows + 8
    return {
        "width": width,
        "height": height + legend_h,
        "plot": {"left": left, "right": width - right, "top": top_m, "bottom": top_m + plot_h},
        "yticks": [{"y": round(y(v / 100), 1), "label": f"{v} %"} for v in range(0, y_max + 1, step)],
        "xticks": [{"x": round(x(i), 1), "label": week_label(w, multi_year).replace("uke ", "")} for i, w in enumerate(weeks)],
        "series": series,
        "legend": [
            {"x": left + (idx % columns) * 310, "y": height + 10 + 22 * (idx // columns), **s}
            for idx, s in enumerate(series)
        ],
    }


def _findings(
    week_table: pd.DataFrame,
    weeks: list[str],
    names: dict[str, str],
    region_counts: dict[str, Counter[str]],
    multi_year: bool,
) -> list[str]:
    """Cautiously worded key findings for the latest week."""
    if not weeks:
        return []
    latest = weeks[-1]
    prev = weeks[-2] if len(weeks) > 1 else None
    wl = week_label(latest, multi_year)
    cur = week_table[week_table["week"] == latest]
    n_latest = int(cur["n_answers"].iloc[0]) if len(cur) else 0
    out: list[str] = []
    if prev is not None:
        n_prev = int(week_table[week_table["week"] == prev]["n_answers"].iloc[0])
        line = f"I {wl} er det {n_latest} svar i fritekstfeltene, mot {n_prev} i {week_label(prev, multi_year)}."
        if n_latest < 0.8 * n_prev:
            line += (
                " Antallet svar er lavere enn forrige kartlegging. Enkelte funn kan derfor også være "
                "knyttet til endringer i hvem som har svart, fremfor faktiske endringer. "
                "Tallene bør tolkes med forsiktighet."
            )
        out.append(line)
    else:
        out.append(f"I {wl} er det {n_latest} svar i fritekstfeltene.")
    if n_latest < SMALL_N:
        out.append(
            f"Det er færre enn {SMALL_N} svar denne uken. Andelene er svært usikre og bør ikke "
            "tolkes som endringer i situasjonen."
        )
    changes = cur.dropna(subset=["change_pp"])
    changes = changes[changes["change_pp"].abs() >= FINDING_MIN_PP]
    if prev is not None and len(changes):
        prev_rows = week_table[week_table["week"] == prev].set_index("label")
        changes = changes.assign(abs_change=changes["change_pp"].abs()).sort_values(
            ["abs_change", "n"], ascending=[False, False], kind="stable"
        )
        for _, row in changes.head(MAX_FINDINGS).iterrows():
            before = prev_rows.loc[row["label"]]
            direction = "Økning" if row["change_pp"] > 0 else "Nedgang"
            text = (
                f"{direction} i andelen svar som nevner {_in_sentence(names[row['label']])}: "
                f"fra {pct(before['share'])} i {week_label(prev, multi_year)} til {pct(row['share'])} i {wl} "
                f"({int(before['n'])} og {int(row['n'])} svar)."
            )
            overlap = row["ci_low"] <= before["ci_high"] and before["ci_low"] <= row["ci_high"]
            if overlap or row["small_n"] or before["small_n"]:
                text += " Usikkerheten er stor, og endringen kan skyldes tilfeldig variasjon."
            out.append(text)
    elif prev is not None:
        out.append(
            f"Ingen tema endrer seg med mer enn {num(FINDING_MIN_PP, 0)} prosentpoeng fra "
            f"{week_label(prev, multi_year)} til {wl}."
        )
    top = cur[cur["n"] > 0].sort_values(["n"], ascending=False, kind="stable").head(3)
    if len(top):
        items = [f"{_in_sentence(names[r['label']])} ({pct(r['share'], 0)})" for _, r in top.iterrows()]
        out.append(f"Temaene som nevnes i flest svar i {wl} er {_join(items)}.")
    latest_regions = region_counts.get(latest, Counter())
    earlier = {r for w in weeks[:-1] for r in region_counts.get(w, Counter()) if r != UNKNOWN}
    missing = sorted(earlier - set(latest_regions), key=text_sort_key)
    if missing:
        out.append(
            f"Denne uken er det ingen svar fra {_join(missing)}, så vi kan ikke si noe om situasjonen der."
        )
    if n_latest:
        region, count = max(
            ((r, c) for r, c in latest_regions.items() if r != UNKNOWN), key=lambda rc: rc[1], default=(None, 0)
        )
        if region is not None and count / n_latest >= 0.4:
            out.append(f"{num(100 * count / n_latest, 0)} prosent av svarene denne uken er fra {region}.")
    return out


# --------------------------------------------------------------------------- context


def build_report(
    records: Iterable[TaggedRecord],
    *,
    codebook: Codebook | None = None,
    meta: dict[str, Any] | None = None,
    redact: bool = True,
    places: bool = False,
    nlp: Any = None,
    quotes_per_label: int = 3,
    title: str = "Korona og rus – temaer i fritekstsvarene",
) -> dict[str, Any]:
    """Build the report context (plain data) from tagged records.

    Args:
        records: Tagged records (read once into memory: the report needs several passes).
        codebook: Label set; the packaged default when None.
        meta: The tagged file's sidecar metadata (pipeline, codebook, counts), if any.
        redact: Redact quotes (default on).
        places: Also redact place names in quotes.
        nlp: spaCy pipeline for redaction (its default when None).
        quotes_per_label: Quotes per theme for the latest week.
        title: Report title.

    Returns:
        A dict for ``render_report``.

    Raises:
        InputError: when there are no records.
    """
    if codebook is None:
        from fritekst.codebook import load_codebook

        codebook = load_codebook()
    recs = list(records)
    if not recs:
        raise InputError("no tagged answers to report on")
    labels = list(codebook.labels)
    names = {lab.id: lab.name for lab in labels}
    family_names = dict(getattr(codebook, "families", {}) or {})

    week_table = summarize(recs, by=("week",), codebook=codebook)
    all_weeks = sorted(week_table["week"].unique(), key=week_sort_key)
    real_weeks = [w for w in all_weeks if w != UNKNOWN]
    weeks = real_weeks or all_weeks
    years = {w[:4] for w in real_weeks}
    multi_year = len(years) > 1
    shown_weeks = weeks[-MAX_TABLE_WEEKS:]
    latest = weeks[-1]
    prev = weeks[-2] if len(weeks) > 1 else None

    n_by_week = week_table.drop_duplicates("week").set_index("week")["n_answers"].to_dict()
    week_info = [
        {"week": w, "label": week_label(w, multi_year), "n_answers": int(n_by_week[w]), "small_n": n_by_week[w] < SMALL_N}
        for w in shown_weeks
    ]

    # per family: weekly table + chart
    families = []
    for fam in FAMILY_ORDER:
        fam_labels = [lab for lab in labels if lab.family == fam]
        if not fam_labels:
            continue
        rows = week_table[week_table["label"].isin([lab.id for lab in fam_labels]) & week_table["week"].isin(shown_weeks)]
        indexed = rows.set_index(["label", "week"])
        table = []
        for lab in fam_labels:
            cells = [_cell(indexed.loc[(lab.id, w)]) for w in shown_weeks]
            total = int(week_table[(week_table["label"] == lab.id)]["n"].sum())
            table.append({"id": lab.id, "name": lab.name, "description": lab.description, "cells": cells, "total": total})
        families.append(
            {
                "id": fam,
                "title": family_names.get(fam) or FAMILY_TITLES.get(fam, fam),
                "name": family_names.get(fam, FAMILY_TITLES.get(fam, fam)),
                "rows": table,
                "chart": _chart(rows, shown_weeks, names, multi_year),
            }
        )

    # substances: asserted groups, and the canonical substances behind them
    substance_counts: dict[str, Counter[str]] = {}
    for rec in recs:
        asserted = set(rec.labels)
        seen: set[tuple[str, str]] = set()
        for m in rec.mentions:
            if m.negated or m.label not in asserted or not m.label.startswith("stoff:"):
                continue
            key = (m.label, (m.substance or m.text).lower())
            if key not in seen:
                seen.add(key)
                substance_counts.setdefault(m.label, Counter())[key[1]] += 1
    cur = week_table[week_table["week"] == latest].set_index("label")
    total_n = week_table.groupby("label")["n"].sum()
    n_total_answers = len(recs)
    top_substances = []
    for lab in labels:
        if lab.family != "stoff" or total_n.get(lab.id, 0) == 0:
            continue
        top_substances.append(
            {
                "name": lab.name,
                "n_latest": int(cur.loc[lab.id, "n"]),
                "pct_latest": pct(cur.loc[lab.id, "share"]),
                "n_total": int(total_n[lab.id]),
                "pct_total": pct(total_n[lab.id] / n_total_answers),
                "forms": [f"{s} ({c})" for s, c in substance_counts.get(lab.id, Counter()).most_common(5)],
            }
        )
    top_substances.sort(key=lambda r: (-r["n_latest"], -r["n_total"]))

    # regions: answers per week, and themes by region in the latest week
    region_counts: dict[str, Counter[str]] = {}
    for rec in recs:
        w = rec.week if rec.week else UNKNOWN
        region_counts.setdefault(w, Counter())[rec.region.strip() if rec.region and rec.region.strip() else UNKNOWN] += 1
    regions = sorted({r for c in region_counts.values() for r in c}, key=text_sort_key)
    region_rows = []
    for r in regions:
        counts = [region_counts.get(w, Counter()).get(r, 0) for w in shown_weeks]
        region_rows.append(
            {
                "name": r,
                "cells": [
                    {"n": c, "pct": pct(c / n_by_week[w]) if n_by_week[w] else "–"} for c, w in zip(counts, shown_weeks)
                ],
            }
        )
    region_theme = None
    if len(regions) > 1 or regions != [UNKNOWN]:
        by_region = summarize([r for r in recs if (r.week or UNKNOWN) == latest], by=("week", "region"), codebook=codebook)
        latest_rows = cur[cur["n"] > 0].sort_values("n", ascending=False, kind="stable").head(10)
        reg_names = sorted(by_region["region"].unique(), key=text_sort_key)
        indexed = by_region.set_index(["label", "region"])
        region_theme = {
            "regions": [
                {"name": rn, "n_answers": int(by_region[by_region["region"] == rn]["n_answers"].iloc[0]), "small_n": bool(by_region[by_region["region"] == rn]["small_n"].iloc[0])}
                for rn in reg_names
            ],
            "rows": [
                {"name": names[lab], "cells": [_cell(indexed.loc[(lab, rn)]) for rn in reg_names]}
                for lab in latest_rows.index
            ],
        }

    # quotes for the latest week, per family and label
    latest_recs = [r for r in recs if (r.week or UNKNOWN) == latest]
    quotes = select_quotes(latest_recs, per_label=quotes_per_label, redact=redact, places=places, nlp=nlp)
    redacted_by_record: dict[str, dict[str, int]] = {}
    quote_families = []
    n_quotes = 0
    for fam in FAMILY_ORDER:
        items = []
        for lab in labels:
            if lab.family != fam:
                continue
            qs: list[Quote] = quotes.get((latest if latest != UNKNOWN else None, lab.id), []) or quotes.get((latest, lab.id), [])
            if qs:
                items.append({"name": lab.name, "id": lab.id, "quotes": qs})
                n_quotes += len(qs)
                for q in qs:  # one answer may be quoted under several themes: count it once
                    redacted_by_record[q.id] = q.redactions
        if items:
            quote_families.append({"title": family_names.get(fam) or FAMILY_TITLES.get(fam, fam), "labels": items})

    redaction_counts: Counter[str] = Counter()
    for counts in redacted_by_record.values():
        redaction_counts.update(counts)
    methods = _methods(meta, codebook, n_total_answers)
    methods.update(
        {
            "redact": redact,
            "places": places,
            "redactions": [
                f"{c} {_REDACTION_NAMES.get(k, k.lower())}" for k, c in sorted(redaction_counts.items()) if c
            ],
            "n_quotes": n_quotes,
            "no_week": sum(1 for r in recs if not r.week) if real_weeks else 0,
            "small_n": SMALL_N,
            "max_table_weeks": MAX_TABLE_WEEKS,
            "fritekst_version": __version__,
            "generated": datetime.now(timezone.utc).astimezone().strftime("%d.%m.%Y %H:%M"),
        }
    )
    period = (
        f"{week_label(weeks[0], multi_year)}–{week_label(latest, multi_year)}" if len(weeks) > 1 else week_label(latest, multi_year)
    )
    return {
        "title": title,
        "subtitle": f"Kartlegging {week_label(latest, True)}",
        "period": period,
        "latest": latest,
        "latest_label": week_label(latest, multi_year),
        "previous_label": week_label(prev, multi_year) if prev else None,
        "weeks": week_info,
        "n_answers": n_total_answers,
        "n_latest": int(n_by_week[latest]),
        "findings": _findings(week_table[week_table["week"].isin(weeks)], weeks, names, region_counts, multi_year),
        "families": families,
        "top_substances": top_substances,
        "regions": region_rows,
        "region_theme": region_theme,
        "quote_families": quote_families,
        "methods": methods,
        "small_n": SMALL_N,
        "hidden_weeks": len(weeks) - len(shown_weeks),
    }


# --------------------------------------------------------------------------- rendering

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def md_escape(value: Any) -> str:
    """Escape a value for Markdown: no markup, HTML or table breaks can come from data."""
    if value is None:
        return ""
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\s*\n\s*", " ", text)


def _environment(fmt: str) -> jinja2.Environment:
    loader = jinja2.PackageLoader("fritekst", "templates")
    if fmt == "html":
        return jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return jinja2.Environment(
        loader=loader,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=md_escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_report(context: dict[str, Any], fmt: str = "html") -> str:
    """Render a ``build_report`` context as ``"html"`` or ``"md"``."""
    if fmt not in ("html", "md"):
        raise InputError(f"unknown report format {fmt!r}: use html or md")
    template = _environment(fmt).get_template(f"report.{fmt}.j2")
    return template.render(**context)


def report_format(path: str | Path) -> str:
    """``.html``/``.htm`` -> ``html``, ``.md`` -> ``md``.

    Raises:
        InputError: for any other suffix.
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix in (".md", ".markdown"):
        return "md"
    raise InputError(f"{path}: report must end in .html or .md")


def write_report(
    tagged_path: str | Path,
    out_path: str | Path,
    *,
    codebook: Codebook | None = None,
    redact: bool = True,
    places: bool = False,
    nlp: Any = None,
    quotes_per_label: int = 3,
) -> dict[str, Any]:
    """Read a tagged JSONL file and write the report (HTML or Markdown by suffix) atomically.

    Also writes ``<out>.meta.json``. Returns that metadata.
    """
    return write_reports(tagged_path, [out_path], codebook=codebook, redact=redact, places=places,
                         nlp=nlp, quotes_per_label=quotes_per_label)[0]


def write_reports(
    tagged_path: str | Path,
    out_paths: Sequence[str | Path],
    *,
    codebook: Codebook | None = None,
    redact: bool = True,
    places: bool = False,
    nlp: Any = None,
    quotes_per_label: int = 3,
) -> list[dict[str, Any]]:
    """Like ``write_report`` for several outputs (e.g. ``.html`` and ``.md``): the tagged
    file is read, and quotes selected and redacted, once. Returns each output's metadata.
    """
    from fritekst.read import read_tagged
    from fritekst.write import write_meta, write_text

    formats = [report_format(p) for p in out_paths]
    if codebook is None:
        from fritekst.codebook import load_codebook

        codebook = load_codebook()
    meta = read_sidecar_meta(tagged_path)
    records = list(read_tagged(tagged_path))
    if not records:
        raise InputError(f"{tagged_path}: no tagged answers to report on")
    context = build_report(
        records,
        codebook=codebook,
        meta=meta,
        redact=redact,
        places=places,
        nlp=nlp,
        quotes_per_label=quotes_per_label,
    )
    metas = []
    for out_path, fmt in zip(out_paths, formats):
        write_text(out_path, render_report(context, fmt))
        out_meta = {
            "fritekst_version": __version__,
            "kind": "report",
            "format": fmt,
            "input": str(tagged_path),
            "codebook": {"version": codebook.version, "sha256": codebook.sha256},
            "pipeline": context["methods"]["pipeline"],
            "classifier": context["methods"]["classifier"],
            "counts": {
                "n_answers": context["n_answers"],
                "n_weeks": len(context["weeks"]) + context["hidden_weeks"],
                "n_quotes": context["methods"]["n_quotes"],
            },
            "redact": redact,
            "places": places,
            "redactions": context["methods"]["redactions"],
        }
        write_meta(out_path, out_meta)
        metas.append(out_meta)
    return metas
