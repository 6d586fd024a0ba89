"""Agreement figures on small examples computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import pytest

from fritekst.agreement import (
    adjudicate,
    agreement,
    cohen_kappa,
    gwet_ac1,
    krippendorff_alpha_nominal,
    percent_agreement,
)
from fritekst.errors import AnnotationError

# Two annotators, ten comments, label "bekymring:ensomhet".
#   A: 1 1 1 0 0 0 0 0 0 0
#   B: 1 1 0 1 0 0 0 0 0 0
A = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
B = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
# Rare label: A gives it once, B never.
RARE_A = [1] + [0] * 9
RARE_B = [0] * 10

TEXTS = [
    "Mange brukere er ensomme og isolerer seg.",
    "Vi ser mer ensomhet i miljøet.",
    "Brukerne sitter mye alene hjemme.",
    "Flere har mistet kontakten med familie og venner.",
    "Tilbudet går som normalt.",
    "Ingen endring denne uken.",
    "Utdeling av brukerutstyr fortsetter.",
    "Det er rolig i rusmiljøet.",
    "Vi har økt oppsøkende virksomhet.",
    "Matutdelingen er i gang igjen.",
]


def _records(votes: dict[str, list[int]], label: str) -> list[dict]:
    return [
        {"id": f"c{i}", "text": TEXTS[i], "annotator": who, "labels": [label] if v else []}
        for who, values in votes.items()
        for i, v in enumerate(values)
    ]


@pytest.mark.parametrize(
    "a,b,expected",
    [
        # p_o = 8/10 = 0.8; p_e = 0.3*0.3 + 0.7*0.7 = 0.58; kappa = 0.22/0.42
        (A, B, 0.22 / 0.42),
        # p_o = 0.9; p_e = 0.1*0 + 0.9*1 = 0.9; kappa = 0 although 90 % agree
        (RARE_A, RARE_B, 0.0),
        # perfect agreement with variation
        (A, A, 1.0),
    ],
)
def test_cohen_kappa_by_hand(a: list[int], b: list[int], expected: float) -> None:
    assert cohen_kappa(a, b) == pytest.approx(expected)


def test_kappa_undefined_when_no_variation() -> None:
    assert math.isnan(cohen_kappa([0, 0, 0], [0, 0, 0]))


@pytest.mark.parametrize(
    "units,percent,alpha,ac1",
    [
        # two raters (A, B above): n = 20 values, n_1 = 6, n_0 = 14, o_01 = o_10 = 2.
        # alpha = 1 - 19 * 4 / (2 * 6 * 14) = 1 - 76/168
        # AC1: pi_1 = 0.3, p_e = 2 * 0.3 * 0.7 = 0.42, AC1 = (0.8 - 0.42) / 0.58
        (list(zip(A, B)), 0.8, 1 - 76 / 168, 0.38 / 0.58),
        # rare label: n_1 = 1, n_0 = 19, o_01 = o_10 = 1: alpha = 1 - 19*2/(2*19) = 0
        # AC1: pi_1 = 0.05, p_e = 2*0.05*0.95 = 0.095, AC1 = (0.9 - 0.095)/0.905
        (list(zip(RARE_A, RARE_B)), 0.9, 0.0, 0.805 / 0.905),
        # three raters with missing values; the last unit has a single rating.
        # p_a = (1 + 0 + 1) / 3 over units with >= 2 ratings.
        # alpha: o_11 = 3*2/2 = 3, o_00 = 3, o_01 = o_10 = 1; n_0 = n_1 = 4, n = 8:
        #   alpha = 1 - 7 * 2 / (2 * 4 * 4) = 1 - 14/32
        # AC1: pi_1 = (1 + 0.5 + 0 + 1) / 4 = 0.625; p_e = 2 * 0.625 * 0.375 = 0.46875
        ([[1, 1, 1], [1, 0], [0, 0, 0], [1]], 2 / 3, 1 - 14 / 32, (2 / 3 - 0.46875) / 0.53125),
    ],
)
def test_alpha_ac1_percent_by_hand(units, percent: float, alpha: float, ac1: float) -> None:
    units = [list(u) for u in units]
    assert percent_agreement(units) == pytest.approx(percent)
    assert krippendorff_alpha_nominal(units) == pytest.approx(alpha)
    assert gwet_ac1(units) == pytest.approx(ac1)


def test_agreement_report_per_label_and_disagreements() -> None:
    records = _records({"anna": A, "bjorn": B}, "bekymring:ensomhet")
    report = agreement(records, labels=["bekymring:ensomhet", "tiltak:mat"])
    assert report.annotators == ["anna", "bjorn"]
    ens, mat = report.labels
    assert ens.n_items == 10 and ens.n_positive == 6
    assert ens.kappa[("anna", "bjorn")] == pytest.approx(0.22 / 0.42)
    assert ens.alpha == pytest.approx(1 - 76 / 168)
    assert ens.ac1 == pytest.approx(0.38 / 0.58)
    # nobody used tiltak:mat: complete agreement, kappa and alpha undefined
    assert mat.percent == 1.0 and math.isnan(mat.alpha) and math.isnan(mat.kappa[("anna", "bjorn")])
    assert [(d["id"], d["votes"]) for d in report.disagreements] == [
        ("c2", {"anna": 1, "bjorn": 0}),
        ("c3", {"anna": 0, "bjorn": 1}),
    ]
    assert report.disagreements[0]["text"] == "Brukerne sitter mye alene hjemme."
    row = report.table()[0]
    assert row["kappa anna/bjorn"] == pytest.approx(0.22 / 0.42)


def test_superseded_records_are_ignored() -> None:
    records = _records({"anna": A, "bjorn": B}, "bekymring:ensomhet")
    records.append(
        {"id": "c2", "text": TEXTS[2], "annotator": "anna", "labels": [], "status": "superseded"}
    )
    # the superseded record comes later in the file but does not count
    assert agreement(records).labels[0].n_positive == 6


def test_agreement_needs_two_annotators() -> None:
    with pytest.raises(AnnotationError, match="at least two annotators"):
        agreement(_records({"anna": A}, "bekymring:ensomhet"))


def test_adjudicate_majority_and_ties() -> None:
    records = [
        {"id": "x1", "text": "t1", "annotator": "a", "labels": ["tiltak:mat", "tiltak:samtaler"]},
        {"id": "x1", "text": "t1", "annotator": "b", "labels": ["tiltak:mat"]},
        {"id": "x1", "text": "t1", "annotator": "c", "labels": ["tiltak:mat", "tiltak:samtaler"]},
        {"id": "x2", "text": "t2", "annotator": "a", "labels": ["bekymring:smitte"]},
        {"id": "x2", "text": "t2", "annotator": "b", "labels": []},
    ]
    merged = adjudicate(records)
    by_id = {r["id"]: r for r in merged.records}
    assert by_id["x1"]["labels"] == ["tiltak:mat", "tiltak:samtaler"]  # 3/3 and 2/3
    assert by_id["x2"]["labels"] == []  # 1/2 is a tie: excluded and listed
    assert merged.conflicts == [
        {"id": "x2", "text": "t2", "label": "bekymring:smitte", "votes": {"a": 1, "b": 0}}
    ]
    assert adjudicate(records, ties="include").records[1]["labels"] == ["bekymring:smitte"]
