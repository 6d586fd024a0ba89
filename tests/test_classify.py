"""The label classifier: fitting, thresholds, save/load without pickle, evaluation."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from fritekst.classify import (
    LabelClassifier,
    best_threshold,
    best_veto,
    combine,
    combine_sources,
    evaluate,
    lemmas_of,
    load_classifier,
    training_set,
)
from fritekst.cli import main
from fritekst.errors import ModelError

# Constructed comments in the survey's register (not survey data).
TRAIN = [
    ("Mange sitter alene hjemme hele dagen.", ["bekymring:ensomhet"]),
    ("Brukerne savner fellesskapet og har ingen å snakke med.", ["bekymring:ensomhet"]),
    ("Flere isolerer seg og treffer ingen.", ["bekymring:ensomhet"]),
    ("De har mistet det sosiale nettverket sitt og er ensomme.", ["bekymring:ensomhet"]),
    ("Familie og venner holder seg unna, så mange er helt alene.", ["bekymring:ensomhet"]),
    ("Vi deler ut matpakker i døra.", ["tiltak:mat"]),
    ("Frivillige kjører ut middag til brukerne.", ["tiltak:mat"]),
    ("Suppekjøkkenet holder åpent og serverer varm mat.", ["tiltak:mat"]),
    ("Brukerne får med seg brødskiver og frukt.", ["tiltak:mat"]),
    ("Det deles ut frokost ved lavterskeltilbudet.", ["tiltak:mat"]),
    ("Vi ringer brukerne hver dag.", ["tiltak:digital_oppfolging"]),
    ("Oppfølgingen skjer på telefon og video.", ["tiltak:digital_oppfolging"]),
    ("Samtalene gjøres over Teams.", ["tiltak:digital_oppfolging"]),
    ("Vi følger opp på telefon i stedet for fysiske møter.", ["tiltak:digital_oppfolging"]),
    ("Ingen endring denne uken.", []),
    ("Situasjonen er stabil.", []),
    ("Alt er som normalt her.", []),
    ("Vi har ikke noe å melde.", []),
    ("Mange er alene, og vi ringer dem hver uke.", ["bekymring:ensomhet", "tiltak:digital_oppfolging"]),
    ("Vi leverer mat til de som sitter alene.", ["bekymring:ensomhet", "tiltak:mat"]),
]
LABELS = ["bekymring:ensomhet", "tiltak:digital_oppfolging", "tiltak:mat", "tiltak:testing"]


def _items(texts, rules=None):
    rules = rules or [[] for _ in texts]
    return [{"text": t, "lemmas": t.lower().rstrip(".").split(), "rule_labels": r} for t, r in zip(texts, rules)]


@pytest.fixture(scope="module")
def fitted() -> LabelClassifier:
    texts = [t for t, _ in TRAIN]
    return LabelClassifier(labels=LABELS, min_df=1, cv=3).fit(_items(texts), [y for _, y in TRAIN])


def test_init_stores_parameters_only() -> None:
    clf = LabelClassifier(C=2.0, cv=4)
    assert (clf.C, clf.cv) == (2.0, 4)
    assert not any(name.endswith("_") and not name.startswith("_") for name in vars(clf))


def test_fit_returns_self_and_learns_thresholds(fitted: LabelClassifier) -> None:
    assert fitted.labels_ == LABELS
    assert set(fitted.thresholds_) == set(LABELS)
    # tiltak:testing has no example: not learned, never predicted
    assert fitted.cv_scores_["tiltak:testing"] == {"n_positive": 0, "learned": False}
    assert fitted.thresholds_["tiltak:testing"] == 1.0
    for label in LABELS[:3]:
        scores = fitted.cv_scores_[label]
        assert scores["learned"] and 0 < scores["threshold"] <= 1 and scores["f1"] > 0
        assert set(scores["combined"]) == {"precision", "recall", "f1"}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Mange brukere sitter alene og har ingen å snakke med.", "bekymring:ensomhet"),
        ("Vi kjører ut matpakker.", "tiltak:mat"),
        ("Vi ringer brukerne på telefon.", "tiltak:digital_oppfolging"),
    ],
)
def test_predicts_unseen_wording(fitted: LabelClassifier, text: str, expected: str) -> None:
    probs = fitted.predict_proba(_items([text]))[0]
    assert max(probs, key=probs.get) == expected
    assert expected in fitted.predict(_items([text]))[0]


def test_saved_and_loaded_model_predicts_the_same(fitted: LabelClassifier, tmp_path: Path) -> None:
    folder = fitted.save(tmp_path / "clf", meta={"codebook_sha256": "abc"})
    loaded = LabelClassifier.load(folder)
    probe = _items(["Mange er ensomme.", "Matutdeling og telefonkontakt.", "Ingen endring."],
                   rules=[["bekymring:ensomhet"], [], []])
    assert loaded.predict_proba(probe) == fitted.predict_proba(probe)
    assert loaded.thresholds_ == fitted.thresholds_
    assert load_classifier(folder).predict(probe) == fitted.predict(probe)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["codebook_sha256"] == "abc" and "bekymring:ensomhet" in meta["cv_scores"]


def test_saved_files_hold_no_pickle(fitted: LabelClassifier, tmp_path: Path) -> None:
    folder = fitted.save(tmp_path / "clf")
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "model.npz", "vocab.json"]
    with zipfile.ZipFile(folder / "model.npz") as zf:
        for name in zf.namelist():
            header = zf.read(name)[:128]
            assert header.startswith(b"\x93NUMPY")
            assert b"'descr': '|O'" not in header  # no object arrays, which would need pickle
    with np.load(folder / "model.npz", allow_pickle=False) as arrays:
        assert arrays["coef"].dtype == np.float64
    json.loads((folder / "vocab.json").read_text(encoding="utf-8"))


def test_object_array_in_model_file_is_refused(fitted: LabelClassifier, tmp_path: Path) -> None:
    folder = fitted.save(tmp_path / "clf")
    np.savez(folder / "model.npz", coef=np.array([object()], dtype=object), intercept=np.zeros(1),
             word_idf=np.zeros(1), char_idf=np.zeros(1))
    with pytest.raises(ModelError, match="cannot load classifier"):
        LabelClassifier.load(folder)


def test_load_classifier_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no classifier in"):
        load_classifier(tmp_path)


@pytest.mark.parametrize(
    "y,p,threshold,f1",
    [
        ([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], 0.45, 1.0),  # midpoint between 0.2 and 0.7
        ([0, 1, 0, 1], [0.1, 0.3, 0.6, 0.9], 0.2, 0.8),  # 2 tp, 1 fp: F1 = 4/5
        ([0, 0], [0.3, 0.4], 0.5, 0.0),  # no positive example
    ],
)
def test_best_threshold(y, p, threshold: float, f1: float) -> None:
    t, f = best_threshold(np.array(y), np.array(p))
    assert t == pytest.approx(threshold) and f == pytest.approx(f1)


@pytest.mark.parametrize(
    "y,p,rules,threshold,f1",
    [
        # rules find the first positive; the model must add the second: t between 0.2 and 0.6
        ([1, 1, 0, 0], [0.1, 0.6, 0.2, 0.05], [1, 0, 0, 0], 0.4, 1.0),
        # rules find everything; any model label only adds false positives: t = 1.0
        ([1, 0, 0], [0.9, 0.8, 0.7], [1, 0, 0], 1.0, 1.0),
    ],
)
def test_best_threshold_for_the_combination(y, p, rules, threshold: float, f1: float) -> None:
    t, f = best_threshold(np.array(y), np.array(p), base=np.array(rules))
    assert t == pytest.approx(threshold) and f == pytest.approx(f1)


@pytest.mark.parametrize(
    "y,p,rules,threshold,min_gain,veto",
    [
        # three rule false positives and one rule true positive with low p: vetoing below
        # 0.525 removes all four, a gain of 3 - 1 = 2, and raises F1 from 4/7 to 2/3
        ([1, 1, 0, 0, 0, 0], [0.9, 0.08, 0.1, 0.15, 0.12, 0.05], [1, 1, 1, 1, 1, 0], 0.5, 2, 0.525),
        # 0.375 and 0.75 remove the same three false positives (0.6 is asserted by the
        # model anyway): a tie, the lower veto is kept
        ([1, 0, 0, 0, 1], [0.9, 0.1, 0.12, 0.15, 0.6], [1, 1, 1, 1, 1], 0.5, 2, 0.375),
        # same, but a veto must gain 3: none
        ([1, 1, 0, 0, 0, 0], [0.9, 0.08, 0.1, 0.15, 0.12, 0.05], [1, 1, 1, 1, 1, 0], 0.5, 3, 0.0),
        # only one false positive to remove: below the minimum gain, no veto
        ([1, 1, 0], [0.9, 0.8, 0.1], [1, 1, 1], 0.95, 2, 0.0),
        # the model is unsure about every rule hit: no veto helps
        ([1, 0, 1, 0], [0.4, 0.4, 0.6, 0.6], [1, 1, 1, 1], 0.9, 1, 0.0),
    ],
)
def test_best_veto(y, p, rules, threshold: float, min_gain: int, veto: float) -> None:
    v, f, counts = best_veto(np.array(y), np.array(p), np.array(rules), threshold, min_gain=min_gain)
    assert v == pytest.approx(veto)
    if veto:
        assert counts["fp_removed"] - counts["tp_removed"] >= min_gain


# Rule hits on "mat" that are not measures ("ikke penger til mat"): the rules assert
# tiltak:mat for all of them; the model learns that only handing out food is a measure.
MAT = "tiltak:mat"
VETO_POS = [
    "Vi deler ut mat i døra.", "Frivillige kjører ut mat til brukerne.", "Det deles ut mat ved lavterskeltilbudet.",
    "Vi deler ut varm mat hver dag.", "Brukerne får utdelt mat og drikke.", "Kommunen kjører ut mat til de som sitter hjemme.",
    "Vi har startet utdeling av mat.", "Det deles ut mat og klær.", "Frivillige deler ut mat i parken.",
]
VETO_FP = [
    "Mange har ikke penger til mat.", "Brukerne mangler penger til mat og husleie.", "Flere har ikke råd til mat.",
    "De bruker pengene på rus i stedet for mat.", "Mange sliter med å betale for mat.", "Pengene strekker ikke til mat.",
]
VETO_NEG = ["Ingen endring denne uken.", "Situasjonen er stabil.", "Alt er som normalt her.",
            "Vi har ikke noe å melde.", "Brukerne er bekymret for smitte.", "Flere er ensomme."]


def _veto_data():
    texts = VETO_POS + VETO_FP + VETO_NEG
    rules = [[MAT]] * (len(VETO_POS) + len(VETO_FP)) + [[]] * len(VETO_NEG)
    gold = [[MAT]] * len(VETO_POS) + [[]] * (len(VETO_FP) + len(VETO_NEG))
    return _items(texts, rules), gold


@pytest.fixture(scope="module")
def vetoing() -> LabelClassifier:
    items, gold = _veto_data()
    return LabelClassifier(labels=[MAT], min_df=1, cv=3, veto=True).fit(items, gold)


def test_veto_is_learned_from_out_of_fold_probabilities(vetoing: LabelClassifier) -> None:
    v = vetoing.veto_thresholds_[MAT]
    assert v > 0
    scores = vetoing.cv_scores_[MAT]
    assert scores["veto_threshold"] == pytest.approx(v, abs=1e-4)
    assert scores["veto_removed"]["fp_removed"] - scores["veto_removed"]["tp_removed"] >= 2
    assert scores["combined"]["f1"] > scores["combined_no_veto"]["f1"] == scores["rules"]["f1"]
    # switched off, or with a gain the data cannot give: no veto
    items, gold = _veto_data()
    assert LabelClassifier(labels=[MAT], min_df=1, cv=3).fit(items, gold).veto_thresholds_ == {MAT: 0.0}  # default
    assert LabelClassifier(labels=[MAT], min_df=1, cv=3, veto=True, min_veto_gain=7).fit(items, gold).veto_thresholds_ == {MAT: 0.0}


def test_fitted_without_a_rule_false_positive_learns_no_veto(fitted: LabelClassifier) -> None:
    assert fitted.veto_thresholds_ == {label: 0.0 for label in LABELS}


def test_veto_is_applied_by_combine(vetoing: LabelClassifier) -> None:
    probe = _items(["Brukerne har ikke penger til mat.", "Vi deler ut mat."], rules=[[MAT], [MAT]])
    probs = vetoing.predict_proba(probe)
    assert probs[0][MAT] < vetoing.veto_thresholds_[MAT] <= probs[1][MAT]
    th, veto = vetoing.thresholds_, vetoing.veto_thresholds_
    assert combine([MAT, "stoff:alkohol"], [], probs[0], th, veto) == ["stoff:alkohol"]
    assert combine([MAT], [], probs[1], th, veto) == [MAT]
    assert combine([MAT], [], probs[0], th) == [MAT]  # no veto thresholds: the union
    # a label the model asserts itself is not vetoed, whatever the veto threshold
    assert combine_sources([MAT], [], {MAT: 0.6}, {MAT: 0.5}, {MAT: 0.9}) == {MAT: "rule+model"}
    assert combine_sources([MAT], [], None, None, {MAT: 0.9}) == {MAT: "rule"}


def test_veto_survives_save_and_load(vetoing: LabelClassifier, tmp_path: Path) -> None:
    folder = vetoing.save(tmp_path / "clf")
    loaded = LabelClassifier.load(folder)
    assert loaded.veto_thresholds_ == vetoing.veto_thresholds_
    assert loaded.veto is True and loaded.min_veto_gain == vetoing.min_veto_gain
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["veto_thresholds"][MAT] == pytest.approx(vetoing.veto_thresholds_[MAT])
    assert "veto_threshold" in meta["cv_scores"][MAT]


def test_model_saved_before_vetoes_loads_without_veto(vetoing: LabelClassifier, tmp_path: Path) -> None:
    folder = vetoing.save(tmp_path / "clf")
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    del vocab["veto_thresholds"], vocab["params"]["veto"], vocab["params"]["min_veto_gain"]
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    loaded = LabelClassifier.load(folder)
    assert loaded.veto_thresholds_ == {} and loaded.veto is False
    probe = _items(["Brukerne har ikke penger til mat."], rules=[[MAT]])
    assert combine([MAT], [], loaded.predict_proba(probe)[0], loaded.thresholds_, loaded.veto_thresholds_) == [MAT]


def test_make_record_and_combine_agree(vetoing: LabelClassifier) -> None:
    from fritekst.records import Comment, Mention
    from fritekst.tagging import make_record

    texts = ["Brukerne har ikke penger til mat.", "Vi deler ut mat.", "Ingen har fått mat.", "Situasjonen er stabil."]
    mentions = [
        [Mention(start=29, end=32, text="mat", label=MAT), Mention(start=0, end=8, text="Brukerne", label="stoff:alkohol")],
        [Mention(start=12, end=15, text="mat", label=MAT)],
        [Mention(start=15, end=18, text="mat", label=MAT, negated=True)],
        [],
    ]
    rules = [sorted({m.label for m in ms if not m.negated}) for ms in mentions]
    negated = [sorted({m.label for m in ms if m.negated} - set(r)) for ms, r in zip(mentions, rules)]
    probs = vetoing.predict_proba(_items(texts, rules))
    th, veto = vetoing.thresholds_, vetoing.veto_thresholds_
    for i, text in enumerate(texts):
        rec = make_record(Comment(id=str(i), text=text), mentions[i], probs[i], th, None, veto)
        assert list(rec.labels) == combine(rules[i], negated[i], probs[i], th, veto)
        assert set(rec.sources) == set(rec.labels)
    vetoed = make_record(Comment(id="0", text=texts[0]), mentions[0], probs[0], th, None, veto)
    # the vetoed rule label: not asserted, not negated, no source, but still a mention
    assert MAT not in vetoed.labels and MAT not in vetoed.negated and MAT not in vetoed.sources
    assert MAT in {m.label for m in vetoed.mentions}
    assert vetoed.labels == ("stoff:alkohol",) and vetoed.sources["stoff:alkohol"].source == "rule"


def test_combine_respects_negation() -> None:
    th = {"tiltak:mat": 0.5, "bekymring:overdose": 0.5}
    probs = {"tiltak:mat": 0.8, "bekymring:overdose": 0.9}
    assert combine(["stoff:heroin"], ["bekymring:overdose"], probs, th) == ["stoff:heroin", "tiltak:mat"]


def test_evaluate_rules_model_combined(fitted: LabelClassifier) -> None:
    records = [
        {"id": "1", "text": "Mange sitter alene.", "labels": ["bekymring:ensomhet"]},
        {"id": "2", "text": "Vi deler ut mat.", "labels": ["tiltak:mat"]},
    ]
    result = evaluate(records, labels=LABELS, rule_labels=[[], ["tiltak:mat"]], negated=[[], []],
                      items=_items([r["text"] for r in records]), classifier=fitted)
    fam = {(r["family"], r["system"]): r for r in result.families}
    # rules: 1 tp (mat), 1 fn (ensomhet)
    assert (fam[("tiltak", "rules")]["f1"], fam[("bekymring", "rules")]["recall"]) == (1.0, 0.0)
    assert fam[("bekymring", "combined")]["recall"] == 1.0
    assert "| bekymring | combined |" in result.markdown()


def test_training_set_never_returns_heldout() -> None:
    records = [
        {"id": "a", "text": "t", "labels": [], "annotator": "x", "split": "train"},
        {"id": "b", "text": "u", "labels": [], "annotator": "x", "split": "heldout"},
        {"id": "c", "text": "v", "labels": [], "annotator": "x"},
    ]
    assert [r["id"] for r in training_set(records)] == ["a", "c"]
    assert [r["id"] for r in training_set(records, split="heldout")] == ["b"]


class _Tok:
    def __init__(self, text: str, lemma: str = "", punct: bool = False) -> None:
        self.text, self.lemma_, self.is_punct, self.is_space = text, lemma, punct, False


def test_lemmas_fall_back_to_lower_case_text() -> None:
    toks = [_Tok("Brukerne", "bruker"), _Tok("Ringer"), _Tok(".", ".", punct=True)]
    assert lemmas_of(toks) == ["bruker", "ringer"]


# --------------------------------------------------------------------------- CLI


REPO = Path(__file__).resolve().parents[1]
CONSTRUCTED_V1 = REPO / "annotations" / "constructed" / "comments-v1.jsonl"


@pytest.mark.skipif(not CONSTRUCTED_V1.exists(), reason=f"{CONSTRUCTED_V1} is missing")
def test_cli_train_and_evaluate_on_an_annotation_file(tmp_path: Path) -> None:
    """`fritekst train` on the constructed comments (real file format): held-out records are
    left out, no veto unless asked for, and `evaluate` scores the saved model."""
    records = [json.loads(line) for line in CONSTRUCTED_V1.read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in records[:40]:
        r["split"] = "heldout"
    data = tmp_path / "ann.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "clf"
    result = runner.invoke(main, ["train", str(data), "-o", str(out)])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["n_train"] == len(records) - 40
    assert set(meta["veto_thresholds"].values()) == {0.0}
    vetoed = tmp_path / "clf_veto"
    result = runner.invoke(main, ["train", str(data), "-o", str(vetoed), "--veto"])
    assert result.exit_code == 0, result.output
    assert json.loads((vetoed / "vocab.json").read_text(encoding="utf-8"))["params"]["veto"] is True
    assert max(json.loads((vetoed / "meta.json").read_text(encoding="utf-8"))["veto_thresholds"].values()) > 0
    table = tmp_path / "heldout.md"
    result = runner.invoke(main, ["evaluate", str(data), "--classifier", str(out), "-o", str(table)])
    assert result.exit_code == 0, result.output
    assert "Evaluated 40 comments" in result.output
    text = table.read_text(encoding="utf-8")
    assert "| tiltak | combined |" in text and "| bekymring | rules |" in text
