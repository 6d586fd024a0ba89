"""Comments -> tagged records: the one place where a spaCy ``Doc`` becomes plain data.

``Tagger`` runs the Norwegian base pipeline, the codebook ruler
(``fritekst_codebook``) and the negation component (``fritekst_negation``), and
optionally a trained ``LabelClassifier``. What it asserts:

* rule labels: labels with at least one mention that is not negated, unless the
  classifier vetoes them: a probability below the label's veto threshold
  (``veto_thresholds_``, learned by cross-validation; 0.0, no veto, for most labels and
  for classifiers saved before vetoes existed) and below its threshold. A vetoed label is
  neither in ``labels`` nor in ``negated``; its mentions stay in ``mentions``;
* model labels: labels whose probability reaches the classifier's threshold, unless the
  rules found the label only in negated mentions;
* ``negated``: labels that occur in mentions but only negated (and are not asserted).

The combination is implemented once, in ``fritekst.classify.combine_sources``, which
``make_record`` and ``fritekst evaluate`` both use.

``TaggedRecord.sources`` says, per asserted label, whether it came from the rules, the
model or both, with the model's probability when a classifier ran.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Any, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from fritekst import __version__
from fritekst.codebook import Codebook, load_codebook
from fritekst.nlp.negation import NegationTagger
from fritekst.nlp.ruler import DEFAULT_SPAN_KEY, CodebookRuler
from fritekst.records import Comment, LabelSource, Mention, TaggedRecord

RULER_NAME = "fritekst_codebook"
NEGATION_NAME = "fritekst_negation"


def add_components(nlp: Language, codebook: Codebook, *, span_key: str = DEFAULT_SPAN_KEY) -> Language:
    """Add (or re-initialise) the codebook ruler and negation on ``nlp``; return it.

    Only the new components are initialised; the rest of the pipeline is left untouched.
    """
    if RULER_NAME in nlp.pipe_names:
        ruler = nlp.get_pipe(RULER_NAME)
    else:
        ruler = nlp.add_pipe(RULER_NAME, config={"span_key": span_key})
    ruler.initialize(nlp=nlp, codebook=codebook)
    if NEGATION_NAME not in nlp.pipe_names:
        nlp.add_pipe(NEGATION_NAME, config={"span_key": span_key}, after=RULER_NAME)
    return nlp


def doc_mentions(doc: Doc, span_key: str = DEFAULT_SPAN_KEY) -> list[Mention]:
    """The codebook mentions of a processed ``Doc`` as plain ``Mention`` records."""
    spans = doc.spans[span_key] if span_key in doc.spans else []
    out = [
        Mention(
            start=sp.start_char,
            end=sp.end_char,
            text=sp.text,
            label=sp.label_,
            substance=sp._.substance,
            negated=bool(sp._.negated),
        )
        for sp in spans
    ]
    out.sort(key=lambda m: (m.start, m.end, m.label))
    return out


def make_record(
    comment: Comment,
    mentions: list[Mention],
    probs: dict[str, float] | None = None,
    thresholds: dict[str, float] | None = None,
    known: set[str] | None = None,
    veto_thresholds: dict[str, float] | None = None,
) -> TaggedRecord:
    """Combine rule mentions and classifier probabilities into a ``TaggedRecord``.

    The combination is ``fritekst.classify.combine_sources`` (see the module docstring).
    """
    from fritekst.classify import combine_sources

    rule = {m.label for m in mentions if not m.negated}
    only_negated = {m.label for m in mentions if m.negated} - rule
    asserted = combine_sources(rule, only_negated, probs, thresholds, veto_thresholds, known)
    labels = set(asserted)
    sources: dict[str, LabelSource] = {}
    for lab, src in asserted.items():
        p = probs.get(lab) if probs is not None else None
        sources[lab] = LabelSource(src, None if p is None else float(p))
    return TaggedRecord(
        id=comment.id,
        text=comment.text,
        week=comment.week,
        region=comment.region,
        question=comment.question,
        labels=tuple(sorted(labels)),
        negated=tuple(sorted(only_negated - labels)),
        mentions=tuple(mentions),
        sources=sources,
    )


class Tagger:
    """Tag comments with the codebook rules, negation and an optional classifier.

    Args:
        nlp: a base pipeline to use. Without one, a new copy from
            ``fritekst.nlp.base.load_pipeline(base)`` gets the components added (``nlp.add_pipe``).
            A pipeline passed in is not modified unless it already has the components: the
            ruler and negation then run after it, outside its pipeline.
        codebook: a ``Codebook``, a path to one, or None for the packaged default.
        classifier: a fitted ``fritekst.classify.LabelClassifier`` or None (rules only).
        base: the ``--base`` name used when ``nlp`` is None (``auto``, ``blank`` ...).
        batch_size: documents per ``nlp.pipe`` and classifier batch.
    """

    def __init__(
        self,
        nlp: Language | None = None,
        codebook: Codebook | str | Path | None = None,
        classifier: Any = None,
        *,
        base: str | None = None,
        batch_size: int = 256,
        span_key: str = DEFAULT_SPAN_KEY,
    ) -> None:
        self.codebook = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
        self.classifier = classifier
        self.batch_size = batch_size
        self.span_key = span_key
        self._extra: list[Any] = []
        if nlp is None:
            from fritekst.nlp.base import load_pipeline  # a new copy: a shared one is never changed

            self.nlp = add_components(load_pipeline(base), self.codebook, span_key=span_key)
        elif RULER_NAME in nlp.pipe_names:
            self.nlp = add_components(nlp, self.codebook, span_key=span_key)
        else:
            self.nlp = nlp
            ruler = CodebookRuler(nlp, RULER_NAME, span_key=span_key)
            ruler.initialize(nlp=nlp, codebook=self.codebook)
            self._extra = [ruler, NegationTagger(nlp, NEGATION_NAME, span_key=span_key)]
        self._known = set(self.codebook.ids)

    def _docs(self, texts: Iterable[str]) -> Iterator[Doc]:
        for doc in self.nlp.pipe(texts, batch_size=self.batch_size):
            for component in self._extra:
                doc = component(doc)
            yield doc

    def tag(self, comments: Iterable[Comment]) -> Iterator[TaggedRecord]:
        """Tag comments lazily (a generator: constant memory for any number of comments)."""
        it = iter(comments)
        while True:
            batch = list(islice(it, self.batch_size))
            if not batch:
                return
            docs = list(self._docs(c.text for c in batch))
            probs: list[dict[str, float] | None] = [None] * len(batch)
            mentions = [doc_mentions(d, self.span_key) for d in docs]
            if self.classifier is not None:
                from fritekst.classify import lemmas_of

                items = [
                    {
                        "text": c.text,
                        "lemmas": lemmas_of(d),
                        "rule_labels": sorted({m.label for m in ms if not m.negated}),
                    }
                    for c, d, ms in zip(batch, docs, mentions)
                ]
                probs = list(self.classifier.predict_proba(items))
            thresholds = getattr(self.classifier, "thresholds_", None) if self.classifier is not None else None
            veto = getattr(self.classifier, "veto_thresholds_", None) if self.classifier is not None else None
            for comment, ms, p in zip(batch, mentions, probs):
                yield make_record(comment, ms, p, thresholds, self._known, veto)

    def tag_text(self, text: str, id: str = "0") -> TaggedRecord:
        """Tag one text (id ``"0"`` unless given)."""
        return next(self.tag([Comment(id=id, text=text)]))

    def meta(self) -> dict[str, Any]:
        """Pipeline, codebook and classifier identity for output metadata."""
        from fritekst.nlp.base import pipeline_info

        info = pipeline_info(self.nlp)
        if self._extra:
            info["components"] = info["components"] + [RULER_NAME, NEGATION_NAME]
        clf = None
        if self.classifier is not None:
            clf = {
                "class": type(self.classifier).__name__,
                "labels": list(getattr(self.classifier, "labels_", []) or []),
                "meta": getattr(self.classifier, "meta_", None),
            }
        return {
            "fritekst_version": __version__,
            "pipeline": info,
            "codebook": self.codebook.meta(),
            "classifier": clf,
        }


def records_table(records: Iterable[TaggedRecord], label_ids: list[str]) -> Any:
    """One row per comment, one 0/1 column per label (asserted), for Excel users."""
    import pandas as pd

    rows = []
    for rec in records:
        row: dict[str, Any] = {"id": rec.id, "week": rec.week, "region": rec.region,
                               "question": rec.question, "text": rec.text}
        asserted = set(rec.labels)
        row.update({lab: int(lab in asserted) for lab in label_ids})
        rows.append(row)
    return pd.DataFrame(rows, columns=["id", "week", "region", "question", "text", *label_ids])


def tag_file(
    input_path: str | Path,
    output: str | Path,
    *,
    codebook: Codebook | None = None,
    base: str | None = "auto",
    use_classifier: bool = True,
    nlp: Language | None = None,
    **columns: Any,
) -> dict[str, Any]:
    """Read a survey export, tag every comment and write the result atomically.

    ``output`` ends in ``.jsonl`` (the ``fritekst tag`` contract, streamed) or
    ``.csv``/``.xlsx`` (one 0/1 column per label). ``columns`` are passed to
    ``fritekst.read.read_comments`` (``text_col``, ``id_col``, ``week_col``,
    ``region_col``, ``question_col``, ``year``). Writes ``<output>.meta.json`` and
    returns that metadata (pipeline, codebook, classifier, counts, warnings).
    ``nlp``, when given, is the base pipeline to tag with (``base`` is then unused); it is
    not modified (see :class:`Tagger`), so a cached ``load_base`` copy can be shared.
    """
    from fritekst.errors import InputError
    from fritekst.read import read_comments
    from fritekst.write import write_jsonl, write_meta, write_table

    suffix = Path(output).suffix.lower()
    if suffix not in (".jsonl", ".csv", ".xlsx"):
        raise InputError(f"{output}: output must end in .jsonl, .csv or .xlsx")
    codebook = codebook or load_codebook()
    result = read_comments(input_path, **columns)
    classifier = None
    if use_classifier:
        from fritekst.classify import load_classifier

        classifier = load_classifier()
    tagger = Tagger(nlp, codebook=codebook, classifier=classifier, base=base)
    counts = {"comments": 0, "with_labels": 0}

    def records() -> Iterator[TaggedRecord]:
        for rec in tagger.tag(result.comments):
            counts["comments"] += 1
            counts["with_labels"] += bool(rec.labels)
            yield rec

    if suffix == ".jsonl":
        write_jsonl(output, (r.to_dict() for r in records()))
    else:
        write_table(output, records_table(records(), codebook.ids), sheet_name="kommentarer")
    meta = tagger.meta()
    meta.update({
        "command": "tag",
        "input": str(input_path),
        "columns": result.columns,
        "counts": {"rows": result.n_rows, "comments": counts["comments"],
                   "with_labels": counts["with_labels"], "skipped_empty": result.skipped_empty},
        "warnings": list(result.warnings),
    })
    write_meta(output, meta)
    return meta
