"""``fritekst tag``: tag the comments of a survey export (JSONL, or a 0/1 table)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import click

from fritekst.errors import InputError


def _table(records: list[Any], label_ids: list[str]) -> Any:
    """One row per comment, one 0/1 column per label (asserted), for Excel users."""
    import pandas as pd

    rows = []
    for rec in records:
        row = {"id": rec.id, "week": rec.week, "region": rec.region, "question": rec.question, "text": rec.text}
        asserted = set(rec.labels)
        row.update({lab: int(lab in asserted) for lab in label_ids})
        rows.append(row)
    return pd.DataFrame(rows, columns=["id", "week", "region", "question", "text", *label_ids])


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output file: .jsonl (one tagged record per comment), .csv or .xlsx (one 0/1 column per label).")
@click.option("--text-col", help="Free-text column (default: recognised from the header).")
@click.option("--id-col", help="Respondent/comment id column.")
@click.option("--week-col", help="Week or date column.")
@click.option("--region-col", help="Region (landsdel/fylke) column.")
@click.option("--question-col", help="Question column (long exports).")
@click.option("--year", type=int, help="Year for bare week numbers (e.g. 'uke 28').")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False),
              help="An edited codebook YAML (default: the packaged codebook).")
@click.option("--base", default="auto", show_default=True,
              help="Base pipeline: auto, fritekst, blank, an installed package or a folder.")
@click.option("--no-classifier", is_flag=True, help="Rules only: do not use the shipped classifier.")
def tag(
    input_path: str,
    output: str,
    text_col: str | None,
    id_col: str | None,
    week_col: str | None,
    region_col: str | None,
    question_col: str | None,
    year: int | None,
    codebook_path: str | None,
    base: str,
    no_classifier: bool,
) -> None:
    """Tag substances, concerns and measures in the comments of INPUT (CSV, XLSX or JSONL)."""
    from fritekst.codebook import load_codebook
    from fritekst.read import read_comments
    from fritekst.tagging import Tagger
    from fritekst.write import write_jsonl, write_meta, write_table

    suffix = Path(output).suffix.lower()
    if suffix not in (".jsonl", ".csv", ".xlsx"):
        raise InputError(f"{output}: output must end in .jsonl, .csv or .xlsx")
    codebook = load_codebook(codebook_path)
    result = read_comments(
        input_path, text_col=text_col, id_col=id_col, week_col=week_col,
        region_col=region_col, question_col=question_col, year=year,
    )
    classifier = None
    if not no_classifier:
        from fritekst.classify import load_classifier

        classifier = load_classifier()
    tagger = Tagger(codebook=codebook, classifier=classifier, base=base)
    counts = {"comments": 0, "with_labels": 0}

    def records() -> Iterator[Any]:
        for rec in tagger.tag(result.comments):
            counts["comments"] += 1
            counts["with_labels"] += bool(rec.labels)
            yield rec

    if suffix == ".jsonl":
        write_jsonl(output, (r.to_dict() for r in records()))
    else:
        write_table(output, _table(list(records()), codebook.ids), sheet_name="kommentarer")
    meta = tagger.meta()
    meta.update(
        {
            "command": "tag",
            "input": str(input_path),
            "columns": result.columns,
            "counts": {
                "rows": result.n_rows,
                "comments": counts["comments"],
                "with_labels": counts["with_labels"],
                "skipped_empty": result.skipped_empty,
            },
            "warnings": list(result.warnings),
        }
    )
    write_meta(output, meta)
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(
        f"Tagged {counts['comments']} comments ({counts['with_labels']} with labels), "
        f"skipped {result.skipped_empty} empty answers -> {output}",
        err=True,
    )
