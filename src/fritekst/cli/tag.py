"""``fritekst tag``: tag the comments of a survey export (JSONL, or a 0/1 table)."""

from __future__ import annotations

import click

from fritekst.cli.options import base_option, codebook_option, no_classifier_option, year_option


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output file: .jsonl (one tagged record per comment), .csv or .xlsx (one 0/1 column per label).")
@click.option("--text-col", help="Free-text column (default: recognised from the header).")
@click.option("--id-col", help="Respondent/comment id column.")
@click.option("--week-col", help="Week or date column.")
@click.option("--region-col", help="Region (landsdel/fylke) column.")
@click.option("--question-col", help="Question column (long exports).")
@year_option
@codebook_option
@base_option
@no_classifier_option
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
    from fritekst.tagging import tag_file

    meta = tag_file(
        input_path, output, codebook=load_codebook(codebook_path), base=base,
        use_classifier=not no_classifier, text_col=text_col, id_col=id_col, week_col=week_col,
        region_col=region_col, question_col=question_col, year=year,
    )
    for warning in meta["warnings"]:
        click.echo(f"Warning: {warning}", err=True)
    counts = meta["counts"]
    click.echo(
        f"Tagged {counts['comments']} comments ({counts['with_labels']} with labels), "
        f"skipped {counts['skipped_empty']} empty answers -> {output}",
        err=True,
    )
