"""Agreement between annotators, and adjudication into one set.

Every label is scored on its own as a binary decision (the comment has the label or not).
For each label this module reports:

* percent agreement: the share of agreeing rater pairs within a comment, averaged over
  comments rated by at least two annotators (for two annotators: the share of comments on
  which they agree);
* Cohen's kappa for every pair of annotators (on the comments both rated),
  ``(p_o - p_e) / (1 - p_e)``;
* Krippendorff's alpha (nominal), from the coincidence matrix, any number of annotators,
  missing ratings allowed: ``alpha = 1 - (n - 1) * sum_{c!=k} o_ck / sum_{c!=k} n_c n_k``;
* Gwet's AC1 (Gwet 2008, multiple raters, missing allowed): ``(p_a - p_e) / (1 - p_e)``
  with ``p_e = 1/(q-1) * sum_k pi_k (1 - pi_k)``; unlike kappa it does not collapse
  when a label is rare.

Input is plain data: annotation records (dicts with ``id``, ``annotator``, ``labels``,
optionally ``text``), as stored in ``annotations/*.jsonl``. No spaCy here.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from sklearn.metrics import cohen_kappa_score

from fritekst.errors import AnnotationError

Ratings = Mapping[str, Mapping[str, int]]  # annotator -> item id -> 0/1


def percent_agreement(units: Sequence[Sequence[int]]) -> float:
    """Observed agreement over units: the mean share of agreeing pairs per unit.

    ``units`` holds the values given to each unit (missing ratings simply left out);
    units with fewer than two values are ignored. ``nan`` if no unit has two values.
    """
    shares = []
    for values in units:
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        shares.append(sum(c * (c - 1) for c in counts.values()) / (m * (m - 1)))
    return float(np.mean(shares)) if shares else math.nan


def krippendorff_alpha_nominal(units: Sequence[Sequence[int]]) -> float:
    """Krippendorff's alpha for nominal data; missing values are left out of a unit.

    Builds the coincidence matrix ``o_ck = sum_u (number of c-k pairs in u) / (m_u - 1)``
    over units with ``m_u >= 2`` values; ``n_c`` are its margins, ``n`` its total.
    Returns ``nan`` when there is no variation at all (expected disagreement 0).
    """
    categories = sorted({v for values in units for v in values})
    index = {c: i for i, c in enumerate(categories)}
    o = np.zeros((len(categories), len(categories)))
    for values in units:
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        for c, k in itertools.product(counts, counts):
            pairs = counts[c] * (counts[k] - (1 if c == k else 0))
            o[index[c], index[k]] += pairs / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return math.nan
    off = ~np.eye(len(categories), dtype=bool)
    observed = o[off].sum()
    expected = (np.outer(n_c, n_c)[off]).sum()
    if expected == 0:
        return math.nan
    return float(1.0 - (n - 1) * observed / expected)


def gwet_ac1(units: Sequence[Sequence[int]], categories: Sequence[int] = (0, 1)) -> float:
    """Gwet's AC1 for any number of raters with missing ratings (Gwet 2008).

    ``p_a`` is the mean over units with ``r_i >= 2`` ratings of
    ``sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))``; ``pi_k`` is the mean over units with at
    least one rating of ``r_ik / r_i``; ``p_e = 1/(q-1) * sum_k pi_k (1 - pi_k)``.
    """
    q = len(categories)
    rated = [list(v) for v in units if len(v) >= 1]
    pa = percent_agreement(rated)
    if math.isnan(pa):
        return math.nan
    pi = np.array([np.mean([v.count(k) / len(v) for v in rated]) for k in categories])
    pe = float((pi * (1 - pi)).sum() / (q - 1))
    if pe == 1.0:
        return math.nan
    return float((pa - pe) / (1 - pe))


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa of two raters on the same units; ``nan`` when undefined (p_e = 1)."""
    if len(a) == 0:
        return math.nan
    if len(set(a) | set(b)) == 1:
        return math.nan  # both used one and the same category only: p_e = 1
    return float(cohen_kappa_score(list(a), list(b), labels=[0, 1]))


@dataclass
class LabelAgreement:
    """Agreement figures for one label."""

    label: str
    n_items: int  # comments rated by at least two annotators
    n_positive: int  # ratings that assert the label
    percent: float
    alpha: float
    ac1: float
    kappa: dict[tuple[str, str], float] = field(default_factory=dict)

    def to_row(self) -> dict[str, Any]:
        """A flat row for a table; pairwise kappas become ``kappa A/B`` columns."""
        row: dict[str, Any] = {
            "label": self.label,
            "n": self.n_items,
            "positive": self.n_positive,
            "percent": self.percent,
            "alpha": self.alpha,
            "ac1": self.ac1,
        }
        for (a, b), k in sorted(self.kappa.items()):
            row[f"kappa {a}/{b}"] = k
        return row


@dataclass
class AgreementReport:
    """Per-label agreement and the comments on which annotators disagree."""

    annotators: list[str]
    labels: list[LabelAgreement]
    disagreements: list[dict[str, Any]]  # {"id", "text", "label", "votes": {annotator: 0/1}}

    def table(self) -> list[dict[str, Any]]:
        """One row per label (for pandas / ``write_table``)."""
        return [la.to_row() for la in self.labels]


def latest_annotations(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Keep the current annotation per (comment id, annotator).

    Records marked ``"status": "superseded"`` (history kept by ``--replace``) are
    dropped; if a pair occurs twice the later record wins. A record without ``id`` or
    ``annotator`` is an AnnotationError.
    """
    current: dict[tuple[str, str], dict[str, Any]] = {}
    for i, rec in enumerate(records, start=1):
        if rec.get("status") == "superseded":
            continue
        try:
            key = (str(rec["id"]), str(rec["annotator"]))
        except KeyError as err:
            raise AnnotationError(f"annotation record {i}: missing field {err.args[0]!r}") from None
        current[key] = dict(rec)
    return list(current.values())


def _ratings(records: Iterable[Mapping[str, Any]]) -> tuple[dict[str, dict[str, set[str]]], dict[str, str]]:
    """item id -> annotator -> set of labels; item id -> text."""
    by_item: dict[str, dict[str, set[str]]] = defaultdict(dict)
    texts: dict[str, str] = {}
    for rec in latest_annotations(records):
        item, who = str(rec["id"]), str(rec["annotator"])
        by_item[item][who] = set(rec.get("labels") or ())
        texts.setdefault(item, str(rec.get("text", "")))
    return by_item, texts


def _vote_row(item: str, texts: Mapping[str, str], label: str, votes: Mapping[str, set[str]]) -> dict[str, Any]:
    """A disagreement or conflict: ``{"id", "text", "label", "votes": {annotator: 0/1}}``."""
    return {
        "id": item,
        "text": texts.get(item, ""),
        "label": label,
        "votes": {who: int(label in s) for who, s in sorted(votes.items())},
    }


def agreement(
    records: Iterable[Mapping[str, Any]], labels: Sequence[str] | None = None
) -> AgreementReport:
    """Agreement per label between all annotators in ``records``.

    ``labels`` fixes the label list (e.g. all codebook ids); by default every label that
    some annotator used. Raises AnnotationError when fewer than two annotators rated a
    common comment.
    """
    by_item, texts = _ratings(records)
    annotators = sorted({a for votes in by_item.values() for a in votes})
    shared = {i: v for i, v in by_item.items() if len(v) >= 2}
    if len(annotators) < 2 or not shared:
        raise AnnotationError("agreement needs at least two annotators who rated the same comments")
    if labels is None:
        labels = sorted({lab for v in by_item.values() for s in v.values() for lab in s})
    out: list[LabelAgreement] = []
    disagreements: list[dict[str, Any]] = []
    for label in labels:
        units = [[int(label in s) for s in votes.values()] for votes in shared.values()]
        kappas: dict[tuple[str, str], float] = {}
        for a, b in itertools.combinations(annotators, 2):
            both = [v for v in shared.values() if a in v and b in v]
            kappas[(a, b)] = cohen_kappa(
                [int(label in v[a]) for v in both], [int(label in v[b]) for v in both]
            )
        out.append(
            LabelAgreement(
                label=label,
                n_items=len(units),
                n_positive=sum(sum(u) for u in units),
                percent=percent_agreement(units),
                alpha=krippendorff_alpha_nominal(units),
                ac1=gwet_ac1(units),
                kappa=kappas,
            )
        )
        for item, votes in shared.items():
            if len({label in s for s in votes.values()}) > 1:
                disagreements.append(_vote_row(item, texts, label, votes))
    disagreements.sort(key=lambda d: (d["id"], d["label"]))
    return AgreementReport(annotators=annotators, labels=out, disagreements=disagreements)


@dataclass
class MergeResult:
    """An adjudicated set: one record per comment, plus the conflicts to resolve."""

    records: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]  # {"id", "text", "label", "votes"}: ties


def adjudicate(
    records: Iterable[Mapping[str, Any]], *, annotator: str = "adjudicated", ties: str = "exclude"
) -> MergeResult:
    """Merge all annotators into one set by majority vote per label.

    A label is kept when more than half of the annotators of a comment gave it. A tie is
    a conflict: it is listed, and the label is left out (``ties="exclude"``) or kept
    (``ties="include"``). Comments with a single annotator are taken as they are.
    """
    if ties not in ("exclude", "include"):
        raise AnnotationError(f"ties must be 'exclude' or 'include', not {ties!r}")
    by_item, texts = _ratings(records)
    merged: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    for item in sorted(by_item):
        votes = by_item[item]
        m = len(votes)
        counts = Counter(lab for s in votes.values() for lab in s)
        keep = []
        for label, c in sorted(counts.items()):
            if 2 * c > m:
                keep.append(label)
            elif 2 * c == m:
                conflicts.append(_vote_row(item, texts, label, votes))
                if ties == "include":
                    keep.append(label)
        merged.append(
            {
                "id": item,
                "text": texts.get(item, ""),
                "labels": keep,
                "annotator": annotator,
                "source": "merge",
                "annotators": sorted(votes),
            }
        )
    return MergeResult(records=merged, conflicts=conflicts)
