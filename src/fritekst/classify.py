"""The scikit-learn label classifier that learns what the codebook rules miss.

Features suit Norwegian survey text:

* word uni- and bigrams over lemmas (lower-case tokens where the base pipeline has no
  lemmatizer), TF-IDF weighted;
* character n-grams 2-5 within word boundaries (``char_wb``) over the lower-cased text,
  which catch compounds ("hasjtørke", "smittevernutstyr") and typos;
* one indicator per codebook label that the rules asserted.

One logistic regression per label (one-vs-rest, ``class_weight="balanced"`` against the
imbalance of rare labels). Each label's decision threshold is chosen by cross-validation:
the threshold that maximises F1 on out-of-fold probabilities. A second, per-label *veto*
threshold is chosen the same way: a rule hit whose probability is below it is not
asserted (the rules' false positives that the model is confident about), see
``best_veto`` and ``combine``.

The model is saved without pickle: ``model.npz`` (numeric arrays, written and read with
``allow_pickle=False``), ``vocab.json`` (vocabularies, labels, parameters) and
``meta.json`` (codebook sha256, training-data sha256, cross-validated scores per label).

Input items are plain dicts ``{"text": str, "lemmas": list[str], "rule_labels": list[str]}``;
``fritekst.tagging`` builds them from a spaCy Doc (see ``lemmas_of``).
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from fritekst.errors import ModelError

FORMAT_VERSION = 1
SHIPPED_NAME = "classifier"
MODEL_FILE = "model.npz"
VOCAB_FILE = "vocab.json"
META_FILE = "meta.json"

Item = Mapping[str, Any]


def lemmas_of(tokens: Iterable[Any]) -> list[str]:
    """Lower-case lemmas of spaCy-like tokens, the token text where there is no lemma.

    This is how ``fritekst.tagging`` and training build ``item["lemmas"]``; spaces and
    punctuation are dropped.
    """
    out = []
    for tok in tokens:
        if getattr(tok, "is_space", False) or getattr(tok, "is_punct", False):
            continue
        lemma = getattr(tok, "lemma_", "") or ""
        out.append((lemma or tok.text).lower())
    return out


def _word_vectorizer(ngram: tuple[int, int], min_df: int, max_features: int | None) -> TfidfVectorizer:
    # items arrive as token lists: no further tokenization
    return TfidfVectorizer(
        analyzer="word",
        tokenizer=str.split,
        token_pattern=None,
        lowercase=False,
        ngram_range=ngram,
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
    )


def _char_vectorizer(ngram: tuple[int, int], min_df: int, max_features: int | None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb",
        lowercase=True,
        ngram_range=ngram,
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
    )


def _counts(pred: np.ndarray, y: np.ndarray) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of boolean ``pred`` against 0/1 ``y``."""
    return int((pred & (y == 1)).sum()), int((pred & (y == 0)).sum()), int((~pred & (y == 1)).sum())


def _f1(pred: np.ndarray, y: np.ndarray) -> float:
    return prf(*_counts(pred, y))["f1"]


def best_threshold(y: np.ndarray, p: np.ndarray, base: np.ndarray | None = None) -> tuple[float, float]:
    """The threshold that maximises F1 of ``base | (p >= t)`` against ``y``, and that F1.

    ``base`` are predictions made anyway (the rules' hits, for the combination that
    ``tag`` uses); none by default. Candidates are midpoints between distinct sorted
    probabilities, and 1.0 (the model adds nothing) when ``base`` is given. Ties go to
    the lowest threshold, or with ``base`` to the highest. ``(0.5, 0.0)`` when there is
    no positive example.
    """
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    fixed = np.zeros(len(y), dtype=bool) if base is None else np.asarray(base, dtype=bool)
    if y.sum() == 0:
        return 0.5, 0.0
    values = np.unique(p)
    cands = np.concatenate([[values[0]], (values[:-1] + values[1:]) / 2]) if len(values) > 1 else values
    if base is not None:  # ties go to the highest threshold: add no more than needed
        cands = np.concatenate([cands, [1.0]])[::-1]
    best_t, best_f = 0.5, -1.0
    for t in cands:
        f = _f1(fixed | (p >= t), y)
        if f > best_f:
            best_t, best_f = float(t), f
    return best_t, best_f


def best_veto(
    y: np.ndarray, p: np.ndarray, rule_hit: np.ndarray, threshold: float, min_gain: int = 2
) -> tuple[float, float, dict[str, int]]:
    """The veto threshold for rule hits that maximises F1 of the combination, and that F1.

    The combination is ``(rule_hit & (p >= v)) | (p >= threshold)``: a rule hit with
    ``p < v`` is dropped unless the model asserts the label itself. Candidates are 0.0
    (no veto) and the midpoints between the distinct sorted probabilities of the rule
    hits. A veto is only taken if it removes at least ``min_gain`` more false positives
    than true positives (so that one or two items of a small calibration set do not
    decide it) and raises F1; ties go to the lowest veto (prefer none). Also returns
    the counts ``{"fp_removed": ..., "tp_removed": ...}`` of the chosen veto.
    """
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    rule_hit = np.asarray(rule_hit, dtype=bool)
    model = p >= threshold
    best_v, best_f = 0.0, _f1(rule_hit | model, y)
    best_counts = {"fp_removed": 0, "tp_removed": 0}
    values = np.unique(p[rule_hit])
    for v in (values[:-1] + values[1:]) / 2 if len(values) > 1 else ():
        removed = rule_hit & ~model & (p < v)
        fp_removed = int((removed & (y == 0)).sum())
        tp_removed = int((removed & (y == 1)).sum())
        if fp_removed - tp_removed < min_gain:
            continue
        f = _f1((rule_hit & (p >= v)) | model, y)
        if f > best_f:  # ascending candidates, strict: ties keep the lower veto
            best_v, best_f = float(v), f
            best_counts = {"fp_removed": fp_removed, "tp_removed": tp_removed}
    return best_v, best_f, best_counts


class LabelClassifier:
    """Multi-label classifier over codebook labels (scikit-learn conventions).

    Parameters are stored as given; ``fit`` learns ``labels_``, ``word_vectorizer_``,
    ``char_vectorizer_``, ``coef_`` (labels x features), ``intercept_``, ``thresholds_``
    (label id -> probability threshold), ``veto_thresholds_`` (label id -> probability
    below which a rule hit is not asserted; 0.0 = no veto) and ``cv_scores_``.

    Args:
        labels: label ids to learn, in order (default: every label seen in ``fit``).
        rule_labels: label ids used as rule-hit indicator features (default: ``labels``).
        C: inverse regularisation strength of the logistic regressions.
        word_ngram: n-gram range over lemmas.
        char_ngram: n-gram range of ``char_wb`` features.
        min_df: minimum document frequency of a feature.
        max_word_features / max_char_features: vocabulary caps (keep the model small).
        cv: folds for choosing thresholds (reduced for labels with few examples).
        min_positive: labels with fewer positive examples are not learned (never predicted).
        threshold_target: ``"model"`` chooses each threshold for the F1 of the model
            alone; ``"combined"`` for the F1 of rules plus model (what ``tag`` asserts;
            rule hits from ``item["rule_labels"]``), which sets a label's threshold to 1.0
            where the model adds nothing to the rules.
        veto: learn veto thresholds (``best_veto`` on the out-of-fold probabilities of
            the calibration items, after the threshold); False (the default): no label is
            vetoed. Off since 2026-11-23: learned from the constructed comments, vetoes
            dropped correct measures in list-like survey answers ("midlertidig botilbud,
            sprøyteutdeling og karanteneplass"), and over the real training sentences
            (``annotations/scripts/cv_real.py``) they removed more true than false measures.
        min_veto_gain: a veto must remove at least this many more false positives than
            true positives of the calibration items.
        random_state: seed of the fold split.
    """

    def __init__(
        self,
        labels: Sequence[str] | None = None,
        rule_labels: Sequence[str] | None = None,
        C: float = 4.0,
        word_ngram: tuple[int, int] = (1, 2),
        char_ngram: tuple[int, int] = (2, 5),
        min_df: int = 2,
        max_word_features: int | None = 6000,
        max_char_features: int | None = 12000,
        cv: int = 5,
        min_positive: int = 3,
        threshold_target: str = "model",
        veto: bool = False,
        min_veto_gain: int = 2,
        random_state: int = 0,
    ) -> None:
        self.labels = labels
        self.rule_labels = rule_labels
        self.C = C
        self.word_ngram = word_ngram
        self.char_ngram = char_ngram
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.cv = cv
        self.min_positive = min_positive
        self.threshold_target = threshold_target
        self.veto = veto
        self.min_veto_gain = min_veto_gain
        self.random_state = random_state

    # -- features ---------------------------------------------------------------------

    def _rule_matrix(self, items: Sequence[Item]) -> sp.csr_matrix:
        index = {lab: i for i, lab in enumerate(self.rule_labels_)}
        rows, cols = [], []
        for r, item in enumerate(items):
            for lab in item.get("rule_labels") or ():
                if lab in index:
                    rows.append(r)
                    cols.append(index[lab])
        data = np.ones(len(rows))
        return sp.csr_matrix((data, (rows, cols)), shape=(len(items), len(self.rule_labels_)))

    @staticmethod
    def _lemma_docs(items: Sequence[Item]) -> list[str]:
        docs = []
        for item in items:
            lemmas = item.get("lemmas")
            if not lemmas:  # no pipeline lemmas: fall back to lower-case whitespace tokens
                lemmas = str(item.get("text", "")).lower().split()
            docs.append(" ".join(str(x).replace(" ", "_") for x in lemmas))
        return docs

    def _features(self, items: Sequence[Item]) -> sp.csr_matrix:
        words = self.word_vectorizer_.transform(self._lemma_docs(items))
        chars = self.char_vectorizer_.transform([str(i.get("text", "")) for i in items])
        return sp.hstack([words, chars, self._rule_matrix(items)], format="csr")

    # -- fitting ----------------------------------------------------------------------

    def _fit_one(self, X: sp.csr_matrix, y: np.ndarray) -> LogisticRegression:
        model = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", max_iter=1000)
        return model.fit(X, y)

    def fit(
        self, items: Sequence[Item], y: Sequence[Iterable[str]], calibrate: Sequence[bool] | None = None
    ) -> "LabelClassifier":
        """Learn from items and their annotated label sets; returns ``self``.

        ``calibrate`` marks the items whose out-of-fold probabilities choose the
        thresholds (default: all), e.g. only real comments when constructed ones are
        mixed in: constructed comments are written to be missed by the rules and would
        make the thresholds too eager on real text. Labels without a positive example
        among them fall back to all items.
        """
        items = list(items)
        gold = [set(labels) for labels in y]
        cal = np.ones(len(items), dtype=bool) if calibrate is None else np.asarray(calibrate, dtype=bool)
        if len(items) != len(gold):
            raise ValueError("items and labels differ in length")
        if len(items) < 4:
            raise ModelError(f"too few annotated comments to train a classifier: {len(items)}")
        self.labels_ = list(self.labels) if self.labels is not None else sorted(set().union(*gold))
        self.rule_labels_ = list(self.rule_labels) if self.rule_labels is not None else list(self.labels_)
        self.word_vectorizer_ = _word_vectorizer(self.word_ngram, self.min_df, self.max_word_features)
        self.char_vectorizer_ = _char_vectorizer(self.char_ngram, self.min_df, self.max_char_features)
        self.word_vectorizer_.fit(self._lemma_docs(items))
        self.char_vectorizer_.fit([str(i.get("text", "")) for i in items])
        X = self._features(items)
        n_features = X.shape[1]
        self.coef_ = np.zeros((len(self.labels_), n_features))
        self.intercept_ = np.full(len(self.labels_), -30.0)  # unlearned labels: p ~ 0
        self.thresholds_: dict[str, float] = {}
        self.veto_thresholds_: dict[str, float] = {}
        self.cv_scores_: dict[str, dict[str, Any]] = {}
        for j, label in enumerate(self.labels_):
            yj = np.array([int(label in g) for g in gold])
            n_pos, n_neg = int(yj.sum()), int(len(yj) - yj.sum())
            if n_pos < self.min_positive or n_neg < 2:
                self.thresholds_[label] = 1.0
                self.veto_thresholds_[label] = 0.0
                self.cv_scores_[label] = {"n_positive": n_pos, "learned": False}
                continue
            folds = min(self.cv, n_pos, n_neg)
            oof = np.zeros(len(yj))
            split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.random_state)
            for train, test in split.split(np.zeros(len(yj)), yj):
                model = self._fit_one(X[train], yj[train])
                oof[test] = model.predict_proba(X[test])[:, 1]
            rule_hit = np.array([label in (item.get("rule_labels") or ()) for item in items])
            c = cal if yj[cal].sum() > 0 else np.ones(len(yj), dtype=bool)
            if self.threshold_target == "combined":
                t, _ = best_threshold(yj[c], oof[c], base=rule_hit[c])
            else:
                t, _ = best_threshold(yj[c], oof[c])
            self.thresholds_[label] = t
            v, counts = 0.0, {"fp_removed": 0, "tp_removed": 0}
            if self.veto:
                v, _, counts = best_veto(yj[c], oof[c], rule_hit[c], t, min_gain=self.min_veto_gain)
            self.veto_thresholds_[label] = v
            scores: dict[str, Any] = {
                "n_positive": n_pos,
                "learned": True,
                "folds": folds,
                "threshold": round(t, 4),
                "veto_threshold": round(v, 4),
                "veto_removed": counts,
                "n_calibration": int(c.sum()),
            }
            yc, pc, rc = yj[c], oof[c], rule_hit[c]
            systems = (
                ("model", pc >= t),
                ("rules", rc),
                ("combined_no_veto", rc | (pc >= t)),
                ("combined", (rc & (pc >= v)) | (pc >= t)),
            )
            for name, pred in systems:
                scores[name] = {k: round(v, 4) for k, v in prf(*_counts(pred, yc)).items() if k in ("precision", "recall", "f1")}
            scores["f1"] = scores["combined" if self.threshold_target == "combined" else "model"]["f1"]
            self.cv_scores_[label] = scores
            full = self._fit_one(X, yj)
            self.coef_[j] = full.coef_[0]
            self.intercept_[j] = full.intercept_[0]
        return self

    # -- prediction -------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ModelError("the classifier is not fitted")

    def decision_function(self, items: Sequence[Item]) -> np.ndarray:
        """Raw scores, one column per label in ``labels_``."""
        self._check_fitted()
        X = self._features(list(items))
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, items: Sequence[Item]) -> list[dict[str, float]]:
        """One ``{label id: probability}`` dict per item."""
        items = list(items)
        if not items:
            return []
        scores = self.decision_function(items)
        probs = 1.0 / (1.0 + np.exp(-scores))
        return [{lab: float(row[j]) for j, lab in enumerate(self.labels_)} for row in probs]

    def predict(self, items: Sequence[Item]) -> list[list[str]]:
        """The labels whose probability reaches their threshold, per item."""
        return [
            sorted(lab for lab, p in probs.items() if p >= self.thresholds_[lab])
            for probs in self.predict_proba(items)
        ]

    # -- persistence (no pickle) ------------------------------------------------------

    def save(self, path: str | Path, meta: Mapping[str, Any] | None = None) -> Path:
        """Write ``model.npz``, ``vocab.json`` and ``meta.json`` into folder ``path``."""
        self._check_fitted()
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            folder / MODEL_FILE,
            coef=self.coef_,
            intercept=self.intercept_,
            word_idf=self.word_vectorizer_.idf_,
            char_idf=self.char_vectorizer_.idf_,
        )
        vocab = {
            "format_version": FORMAT_VERSION,
            "params": {
                "C": self.C,
                "word_ngram": list(self.word_ngram),
                "char_ngram": list(self.char_ngram),
                "min_df": self.min_df,
                "max_word_features": self.max_word_features,
                "max_char_features": self.max_char_features,
                "cv": self.cv,
                "min_positive": self.min_positive,
                "threshold_target": self.threshold_target,
                "veto": self.veto,
                "min_veto_gain": self.min_veto_gain,
                "random_state": self.random_state,
            },
            "labels": self.labels_,
            "rule_labels": self.rule_labels_,
            "thresholds": self.thresholds_,
            "veto_thresholds": self.veto_thresholds_,
            "word_vocabulary": {k: int(v) for k, v in sorted(self.word_vectorizer_.vocabulary_.items())},
            "char_vocabulary": {k: int(v) for k, v in sorted(self.char_vectorizer_.vocabulary_.items())},
        }
        (folder / VOCAB_FILE).write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        full_meta = {
            "format_version": FORMAT_VERSION,
            **dict(getattr(self, "meta_", {}) or {}),
            **dict(meta or {}),
            "thresholds": {k: round(v, 6) for k, v in self.thresholds_.items()},
            "veto_thresholds": {k: round(v, 6) for k, v in self.veto_thresholds_.items()},
            "cv_scores": self.cv_scores_,
        }
        (folder / META_FILE).write_text(json.dumps(full_meta, ensure_ascii=False, indent=2), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, path: str | Path) -> "LabelClassifier":
        """Load a classifier saved by ``save``; never unpickles anything."""
        folder = Path(path)
        try:
            vocab = json.loads((folder / VOCAB_FILE).read_text(encoding="utf-8"))
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
            with np.load(folder / MODEL_FILE, allow_pickle=False) as arrays:
                coef, intercept = arrays["coef"], arrays["intercept"]
                word_idf, char_idf = arrays["word_idf"], arrays["char_idf"]
        except (OSError, ValueError, KeyError) as err:
            raise ModelError(f"cannot load classifier from {folder}: {err}") from None
        if vocab.get("format_version") != FORMAT_VERSION:
            raise ModelError(f"{folder / VOCAB_FILE}: unsupported format_version {vocab.get('format_version')!r}")
        p = vocab["params"]
        clf = cls(
            C=p["C"],
            word_ngram=tuple(p["word_ngram"]),
            char_ngram=tuple(p["char_ngram"]),
            min_df=p["min_df"],
            max_word_features=p["max_word_features"],
            max_char_features=p["max_char_features"],
            cv=p["cv"],
            min_positive=p["min_positive"],
            threshold_target=p.get("threshold_target", "model"),
            veto=p.get("veto", False),  # saved before vetoes existed: none learned
            min_veto_gain=p.get("min_veto_gain", 2),
            random_state=p["random_state"],
        )
        clf.labels_ = list(vocab["labels"])
        clf.rule_labels_ = list(vocab["rule_labels"])
        clf.labels, clf.rule_labels = list(clf.labels_), list(clf.rule_labels_)
        clf.thresholds_ = {k: float(v) for k, v in vocab["thresholds"].items()}
        # a model saved before vetoes existed has none: every rule hit stands
        clf.veto_thresholds_ = {k: float(v) for k, v in (vocab.get("veto_thresholds") or {}).items()}
        clf.cv_scores_ = meta.get("cv_scores", {})
        clf.meta_ = meta
        clf.word_vectorizer_ = _word_vectorizer(clf.word_ngram, clf.min_df, clf.max_word_features)
        clf.word_vectorizer_.vocabulary_ = dict(vocab["word_vocabulary"])
        clf.word_vectorizer_.idf_ = word_idf
        clf.char_vectorizer_ = _char_vectorizer(clf.char_ngram, clf.min_df, clf.max_char_features)
        clf.char_vectorizer_.vocabulary_ = dict(vocab["char_vocabulary"])
        clf.char_vectorizer_.idf_ = char_idf
        expected = len(word_idf) + len(char_idf) + len(clf.rule_labels_)
        if coef.shape != (len(clf.labels_), expected):
            raise ModelError(f"{folder / MODEL_FILE}: coefficient shape {coef.shape} does not match the vocabularies")
        clf.coef_, clf.intercept_ = coef, intercept
        return clf


def shipped_classifier_path() -> Path:
    """Folder of the classifier shipped with fritekst (``models/classifier``)."""
    return Path(str(resources.files("fritekst.models"))) / SHIPPED_NAME


def load_classifier(path: str | Path | None = None) -> LabelClassifier | None:
    """Load a classifier folder; with no path the shipped one, or None if none is shipped."""
    folder = shipped_classifier_path() if path is None else Path(path)
    if not (folder / MODEL_FILE).exists():
        if path is None:
            return None
        raise ModelError(f"no classifier in {folder} (expected {MODEL_FILE})")
    return LabelClassifier.load(folder)


def data_sha256(texts_and_labels: Iterable[tuple[str, Sequence[str]]]) -> str:
    """A hash of the training data (texts and sorted labels, in order)."""
    h = hashlib.sha256()
    for text, labels in texts_and_labels:
        h.update(json.dumps([text, sorted(labels)], ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def f1_table(gold: Sequence[Iterable[str]], pred: Sequence[Iterable[str]], labels: Sequence[str]) -> dict[str, dict[str, float]]:
    """Per-label precision, recall, F1 and support of predicted label sets."""
    out = {}
    for label in labels:
        tp = fp = fn = 0
        for g, p in zip(gold, pred):
            gi, pi = label in set(g), label in set(p)
            tp += gi and pi
            fp += pi and not gi
            fn += gi and not pi
        out[label] = prf(tp, fp, fn)
    return out


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 from counts (0 where undefined), with the counts."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "support": tp + fn, "precision": precision, "recall": recall, "f1": f1}


FAMILIES = ("stoff", "bekymring", "tiltak")


def rule_labels_of(record: Any) -> list[str]:
    """Labels of a tagged record that the rules asserted (whatever a classifier added or vetoed).

    The labels of its non-negated mentions, and asserted labels whose source is the
    rules (or unknown): a rule hit that a classifier vetoed is still a rule label.
    """
    sources = getattr(record, "sources", {}) or {}
    mentioned = {m.label for m in getattr(record, "mentions", ()) or () if not m.negated}
    return sorted(
        mentioned | {lab for lab in record.labels if lab not in sources or "rule" in sources[lab].source}
    )


def build_items(
    texts: Sequence[str], *, rule_labels: Sequence[Sequence[str]] | None = None, nlp: Any = None
) -> list[dict[str, Any]]:
    """Classifier items for texts: lemmas from the base pipeline ``nlp``.

    ``rule_labels`` are the rule labels per text (``rule_labels_of`` of its tagged
    record); empty by default. ``nlp`` defaults to ``fritekst.nlp.base.load_base()``.
    """
    texts = list(texts)
    if nlp is None:
        from fritekst.nlp.base import load_base  # spaCy only where lemmas are needed

        nlp = load_base()
    lemmas = [lemmas_of(doc) for doc in nlp.pipe(texts)]
    rules = [list(r) for r in rule_labels] if rule_labels is not None else [[] for _ in texts]
    return [{"text": t, "lemmas": l, "rule_labels": r} for t, l, r in zip(texts, lemmas, rules)]


def combine_sources(
    rule_labels: Iterable[str],
    negated: Iterable[str],
    probs: Mapping[str, float] | None,
    thresholds: Mapping[str, float] | None,
    veto_thresholds: Mapping[str, float] | None = None,
    known: Iterable[str] | None = None,
) -> dict[str, str]:
    """What ``tag`` asserts, with where each label came from: ``{label: source}``.

    The one implementation of the rules+model combination (``combine``, ``evaluate`` and
    ``fritekst.tagging.make_record`` use it). Source is ``"rule"``, ``"model"`` or
    ``"rule+model"``:

    * model labels: probability at or above ``thresholds[label]`` (missing: 1.0), unless
      the label is in ``negated`` (found by the rules only negated) or not in ``known``;
    * rule labels: every one of ``rule_labels``, except those the model *vetoes*: a
      probability below ``veto_thresholds[label]`` (missing: 0.0, no veto) and not a
      model label. A vetoed label is simply not asserted.

    Without ``probs`` (no classifier) the rule labels are asserted as they are.
    """
    rule = set(rule_labels)
    if probs is None:
        return {lab: "rule" for lab in rule}
    negated = set(negated)
    known = None if known is None else set(known)
    thresholds = thresholds or {}
    veto_thresholds = veto_thresholds or {}
    model = {
        lab
        for lab, p in probs.items()
        if (known is None or lab in known) and p >= thresholds.get(lab, 1.0) and lab not in negated
    }
    vetoed = {lab for lab in rule - model if lab in probs and probs[lab] < veto_thresholds.get(lab, 0.0)}
    out = {lab: "rule" for lab in rule - vetoed}
    for lab in model:
        out[lab] = "rule+model" if lab in rule else "model"
    return out


def combine(
    rule_labels: Iterable[str],
    negated: Iterable[str],
    probs: Mapping[str, float],
    thresholds: Mapping[str, float],
    veto_thresholds: Mapping[str, float] | None = None,
) -> list[str]:
    """What ``tag`` asserts (sorted): rule labels not vetoed, plus model labels (see ``combine_sources``)."""
    return sorted(combine_sources(rule_labels, negated, probs, thresholds, veto_thresholds))


@dataclass
class Evaluation:
    """P/R/F1 per label and per family for rules alone, classifier alone and combined."""

    n: int
    labels: list[dict[str, Any]]  # one row per (label, system)
    families: list[dict[str, Any]]  # one row per (family, system), micro-averaged

    def markdown(self) -> str:
        """The per-family and per-label tables in Markdown."""
        lines = [f"Evaluated on {self.n} annotated comments (micro-averaged per family).", ""]
        lines += ["| family | system | P | R | F1 | support |", "|---|---|---:|---:|---:|---:|"]
        for r in self.families:
            lines.append(
                f"| {r['family']} | {r['system']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['support']} |"
            )
        lines += ["", "| label | rules F1 | model F1 | combined F1 | support |", "|---|---:|---:|---:|---:|"]
        by_label: dict[str, dict[str, Any]] = {}
        for r in self.labels:
            by_label.setdefault(r["label"], {})[r["system"]] = r
        for label, systems in by_label.items():
            cells = [f"{systems[s]['f1']:.3f}" if s in systems else "-" for s in ("rules", "model", "combined")]
            support = next(iter(systems.values()))["support"]
            lines.append(f"| {label} | {' | '.join(cells)} | {support} |")
        return "\n".join(lines) + "\n"


def evaluate(
    records: Sequence[Mapping[str, Any]],
    *,
    labels: Sequence[str],
    rule_labels: Sequence[Sequence[str]],
    negated: Sequence[Sequence[str]] | None = None,
    items: Sequence[Item] | None = None,
    classifier: LabelClassifier | None = None,
) -> Evaluation:
    """Score rules, classifier and their combination against annotated ``records``.

    ``rule_labels``/``negated`` are what the rule tagger asserted/negated per record;
    ``items`` are the classifier inputs (needed when a classifier is given).
    """
    gold = [set(r.get("labels") or ()) for r in records]
    negated = negated or [[] for _ in records]
    systems: dict[str, list[list[str]]] = {"rules": [list(x) for x in rule_labels]}
    if classifier is not None:
        if items is None:
            raise ValueError("items are needed to evaluate a classifier")
        probs = classifier.predict_proba(items)
        th = classifier.thresholds_
        veto = getattr(classifier, "veto_thresholds_", None) or {}
        systems["model"] = [sorted(l for l, p in pr.items() if p >= th.get(l, 1.0)) for pr in probs]
        systems["combined"] = [combine(rl, ng, pr, th, veto) for rl, ng, pr in zip(rule_labels, negated, probs)]
    label_rows, family_rows = [], []
    for system, pred in systems.items():
        table = f1_table(gold, pred, labels)
        for label, scores in table.items():
            label_rows.append({"label": label, "system": system, **scores})
        for family in FAMILIES:
            members = [lab for lab in labels if lab.split(":")[0] == family]
            tp = sum(table[m]["tp"] for m in members)
            fp = sum(table[m]["fp"] for m in members)
            fn = sum(table[m]["fn"] for m in members)
            family_rows.append({"family": family, "system": system, **prf(tp, fp, fn)})
    return Evaluation(n=len(records), labels=label_rows, families=family_rows)


def training_set(records: Iterable[Mapping[str, Any]], *, split: str | None = "train") -> list[dict[str, Any]]:
    """One record per comment for training or evaluation.

    Keeps the current annotations (superseded ones dropped), merges several annotators
    of one comment by majority (``fritekst.agreement.adjudicate``), and keeps records
    whose ``split`` is ``split``: with ``split="train"`` everything not marked
    ``heldout`` (records without a split count as train); ``None`` keeps all.
    """
    from fritekst.agreement import adjudicate

    records = [dict(r) for r in records if r.get("status") != "superseded"]
    meta = {str(r["id"]): r for r in records}
    merged = adjudicate(records).records
    out = []
    for rec in merged:
        origin = meta[rec["id"]]
        rec_split = origin.get("split") or "train"
        if split is None or rec_split == split:
            out.append({**rec, "split": rec_split, "source": origin.get("source")})
    return out


def train(
    records: Sequence[Mapping[str, Any]],
    *,
    codebook: Any,
    items: Sequence[Item],
    params: Mapping[str, Any] | None = None,
    extra_meta: Mapping[str, Any] | None = None,
    calibrate_on_real: bool = False,
) -> LabelClassifier:
    """Fit a classifier on ``records`` (with their ``items``) over the codebook's labels.

    With ``calibrate_on_real`` the thresholds are chosen on the real (not ``source:
    constructed``) records only (off by default: on 182 real sentences it was noisier).

    Only concern and measure labels are learned (substances are the rules' job);
    rule-hit features cover every codebook label. The training-data and codebook hashes
    go into ``meta_`` (written to ``meta.json`` by ``save``).
    """
    if any(r.get("split") == "heldout" for r in records):
        raise ModelError("refusing to train on held-out annotations")
    all_labels = [lab.id for lab in codebook.labels]
    learn = [lab for lab in all_labels if not lab.startswith("stoff:")]
    clf = LabelClassifier(labels=learn, rule_labels=all_labels, **dict(params or {}))
    calibrate = [r.get("source") != "constructed" for r in records] if calibrate_on_real else None
    clf.fit(items, [r.get("labels") or [] for r in records], calibrate=calibrate)
    sources: dict[str, int] = {}
    for r in records:
        key = str(r.get("source") or "?")
        sources[key] = sources.get(key, 0) + 1
    clf.meta_ = {
        "codebook_version": str(codebook.version),
        "codebook_sha256": codebook.sha256,
        "training_data_sha256": data_sha256((r["text"], r.get("labels") or []) for r in records),
        "n_train": len(records),
        "sources": sources,
        "labels_learned": [lab for lab in learn if clf.cv_scores_.get(lab, {}).get("learned")],
        **dict(extra_meta or {}),
    }
    return clf


__all__ = [
    "Evaluation",
    "LabelClassifier",
    "build_items",
    "combine",
    "combine_sources",
    "evaluate",
    "train",
    "training_set",
    "best_threshold",
    "best_veto",
    "data_sha256",
    "lemmas_of",
    "load_classifier",
    "shipped_classifier_path",
]
