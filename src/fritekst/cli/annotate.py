"""``fritekst annotate export|import|agreement|merge``, ``fritekst train``, ``fritekst evaluate``.

Thin commands: parse options, call ``fritekst.annotate`` / ``fritekst.agreement`` /
``fritekst.classify``, print a one-line summary.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd

from fritekst.cli.options import base_option, codebook_option

DEFAULT_STORE = "annotations/annotations.jsonl"


def _codebook(path: str | None):  # noqa: ANN202 - the codebook type lives in fritekst.codebook
    from fritekst.codebook import load_codebook

    return load_codebook(path)


def _annotation_records(paths: tuple[str, ...]) -> list[dict]:
    from fritekst.annotate import read_annotations

    records: list[dict] = []
    for p in paths:
        records.extend(read_annotations(p))
    return records


@click.group()
def annotate() -> None:
    """The annotation loop: export batches, import corrections, agreement, merge."""


@annotate.command("export")
@click.argument("tagged", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Batch file: .xlsx (Excel) or .jsonl (Prodigy).")
@click.option("-n", "--n", "n", default=50, show_default=True, type=click.IntRange(min=1), help="Number of comments in the batch.")
@click.option("--strategy", type=click.Choice(["random", "uncertain", "balanced"]), default="random", show_default=True, help="How comments are chosen.")
@click.option("--seed", default=0, show_default=True, help="Random seed of the selection.")
@click.option("--max-similarity", default=0.8, show_default=True, type=click.FloatRange(0, 1), help="Skip comments this similar (TF-IDF cosine) to one already chosen; 1 disables.")
@click.option("--batch", "batch_id", default=None, help="Batch id (default: derived from the comment ids).")
@click.option("--classifier", "classifier_path", type=click.Path(exists=True, file_okay=False), default=None, help="Classifier folder for the uncertain/balanced strategies (default: the shipped one, if any).")
@codebook_option
def export_cmd(tagged: str, output: str, n: int, strategy: str, seed: int, max_similarity: float,
               batch_id: str | None, classifier_path: str | None, codebook_path: str | None) -> None:
    """Export a batch of tagged comments (output of ``fritekst tag``) for annotation."""
    from fritekst.annotate import export_batch, select
    from fritekst.classify import load_classifier
    from fritekst.read import read_tagged

    codebook = _codebook(codebook_path)
    classifier = load_classifier(classifier_path) if strategy != "random" else None
    chosen = select(list(read_tagged(tagged)), n, strategy, classifier=classifier, seed=seed, max_similarity=max_similarity)
    result = export_batch(chosen, output, codebook=codebook, batch=batch_id, strategy=strategy)
    click.echo(f"Exported {result.n} comments as batch {result.batch} ({strategy}) to {result.path}")


@annotate.command("import")
@click.argument("batch", type=click.Path(exists=True, dir_okay=False))
@click.option("--annotator", default=None, help="The annotator's name (default: the batch's annotator column).")
@click.option("--store", default=DEFAULT_STORE, show_default=True, type=click.Path(dir_okay=False), help="Annotation store (JSONL) to append to.")
@click.option("--replace", is_flag=True, help="Replace this annotator's earlier, different annotations (the old ones are kept as superseded).")
@codebook_option
def import_cmd(batch: str, annotator: str | None, store: str, replace: bool, codebook_path: str | None) -> None:
    """Validate a corrected BATCH (.xlsx or .jsonl) and append it to the store."""
    from fritekst.annotate import import_batch

    r = import_batch(batch, store, codebook=_codebook(codebook_path), annotator=annotator, replace=replace)
    click.echo(
        f"Batch {r.batch} by {r.annotator}: {r.added} added, {r.replaced} replaced, "
        f"{r.unchanged} unchanged, {r.skipped} skipped -> {r.store}"
    )


@annotate.command("agreement")
@click.argument("annotations", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the per-label table (.md, .csv or .xlsx); default: print Markdown.")
@click.option("--disagreements", type=click.Path(dir_okay=False), default=None, help="Write the disagreeing comments (.csv, .xlsx or .md).")
@click.option("--all-labels", is_flag=True, help="Score every codebook label, not only the ones used.")
@codebook_option
def agreement_cmd(annotations: tuple[str, ...], output: str | None, disagreements: str | None, all_labels: bool, codebook_path: str | None) -> None:
    """Agreement per label between the annotators in ANNOTATIONS (files or folders)."""
    from fritekst.agreement import agreement
    from fritekst.write import markdown_table, write_table

    labels = [lab.id for lab in _codebook(codebook_path).labels] if all_labels else None
    report = agreement(_annotation_records(annotations), labels=labels)
    table = pd.DataFrame(report.table())
    if output:
        write_table(output, table, sheet_name="agreement")
    else:
        click.echo(markdown_table(table, float_format="{:.3f}"), nl=False)
    if disagreements:
        rows = [{"id": d["id"], "label": d["label"], "text": d["text"], **d["votes"]} for d in report.disagreements]
        write_table(disagreements, pd.DataFrame(rows, columns=["id", "label", "text", *report.annotators]), sheet_name="uenighet")
    click.echo(f"{len(report.annotators)} annotators, {len(report.labels)} labels, {len(report.disagreements)} disagreements", err=True)


@annotate.command("merge")
@click.argument("annotations", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Adjudicated set (.jsonl).")
@click.option("--conflicts", type=click.Path(dir_okay=False), default=None, help="Write the ties to resolve (.csv, .xlsx or .md).")
@click.option("--ties", type=click.Choice(["exclude", "include"]), default="exclude", show_default=True, help="Whether a tied label is kept.")
def merge_cmd(annotations: tuple[str, ...], output: str, conflicts: str | None, ties: str) -> None:
    """Merge the annotators in ANNOTATIONS into one adjudicated set by majority."""
    from fritekst.agreement import adjudicate
    from fritekst.write import write_jsonl, write_table

    result = adjudicate(_annotation_records(annotations), ties=ties)
    write_jsonl(output, result.records)
    if conflicts:
        rows = [{"id": c["id"], "label": c["label"], "text": c["text"], **c["votes"]} for c in result.conflicts]
        write_table(conflicts, pd.DataFrame(rows), sheet_name="konflikter")
    click.echo(f"Merged {len(result.records)} comments to {output}; {len(result.conflicts)} conflicts to resolve")


def _rule_outputs(texts: list[str], codebook, base: str):  # noqa: ANN202
    """Items, rule labels and negated labels from the rule tagger (no classifier)."""
    from fritekst.classify import build_items, rule_labels_of
    from fritekst.nlp.base import load_base
    from fritekst.tagging import Tagger

    nlp = load_base(base)
    tagger = Tagger(nlp=nlp, codebook=codebook, classifier=None)
    tagged = [tagger.tag_text(t) for t in texts]
    items = build_items(texts, rule_labels=[rule_labels_of(r) for r in tagged], nlp=nlp)
    return nlp, items, [list(r.labels) for r in tagged], [list(r.negated) for r in tagged]


@click.command()
@click.argument("annotations", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", default="models/classifier", show_default=True, type=click.Path(file_okay=False), help="Folder to save the classifier in.")
@click.option("--cv", default=5, show_default=True, type=click.IntRange(min=2), help="Cross-validation folds for the thresholds.")
@click.option("--seed", default=0, show_default=True, help="Seed of the fold split.")
@click.option("--veto/--no-veto", default=False, show_default=True,
              help="Also learn per-label vetoes that drop rule hits the model is confident are wrong.")
@base_option
@codebook_option
def train(annotations: tuple[str, ...], output: str, cv: int, seed: int, veto: bool, base: str,
          codebook_path: str | None) -> None:
    """Train the label classifier on ANNOTATIONS (files or folders; held-out records are left out)."""
    from fritekst.classify import train as train_classifier
    from fritekst.classify import training_set
    from fritekst.nlp.base import pipeline_info

    codebook = _codebook(codebook_path)
    records = training_set(_annotation_records(annotations), split="train")
    nlp, items, _, _ = _rule_outputs([r["text"] for r in records], codebook, base)
    clf = train_classifier(records, codebook=codebook, items=items, params={"cv": cv, "random_state": seed, "veto": veto},
                           extra_meta={"base_pipeline": pipeline_info(nlp)})
    folder = clf.save(output)
    learned = sum(1 for s in clf.cv_scores_.values() if s.get("learned"))
    click.echo(f"Trained on {len(records)} comments, {learned} labels learned -> {folder}")


@click.command()
@click.argument("annotations", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--split", default="heldout", show_default=True, help="Evaluate records with this split ('all' for every record).")
@click.option("--classifier", "classifier_path", type=click.Path(exists=True, file_okay=False), default=None, help="Classifier folder (default: the shipped one).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the Markdown tables here (default: print).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None, help="Also write all scores as JSON.")
@base_option
@codebook_option
def evaluate(annotations: tuple[str, ...], split: str, classifier_path: str | None, output: str | None,
             json_path: str | None, base: str, codebook_path: str | None) -> None:
    """Score rules, classifier and the combination against annotated comments."""
    from fritekst.classify import evaluate as run_evaluation
    from fritekst.classify import load_classifier, training_set
    from fritekst.errors import AnnotationError
    from fritekst.write import write_text

    codebook = _codebook(codebook_path)
    records = training_set(_annotation_records(annotations), split=None if split == "all" else split)
    if not records:
        raise AnnotationError(f"no annotated comments with split {split!r} in {', '.join(annotations)}")
    classifier = load_classifier(classifier_path)
    _, items, rules, negated = _rule_outputs([r["text"] for r in records], codebook, base)
    result = run_evaluation(records, labels=[lab.id for lab in codebook.labels], rule_labels=rules,
                            negated=negated, items=items, classifier=classifier)
    text = result.markdown()
    if output:
        write_text(output, text)
    else:
        click.echo(text, nl=False)
    if json_path:
        write_text(json_path, json.dumps({"n": result.n, "families": result.families, "labels": result.labels}, indent=2, ensure_ascii=False))
    if output:
        click.echo(f"Evaluated {result.n} comments -> {Path(output)}")
