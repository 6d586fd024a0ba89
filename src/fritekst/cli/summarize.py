"""``fritekst summarize``: weekly theme frequencies from a tagged JSONL file."""

from __future__ import annotations

import click

from fritekst.summarize import GROUP_KEYS, normalize_by, write_summary


@click.command()
@click.argument("tagged", type=click.Path(dir_okay=False))
@click.option(
    "--by",
    "by",
    multiple=True,
    default=("week",),
    show_default=True,
    type=click.Choice(GROUP_KEYS),
    help="Group by this field; repeat to add region and/or question (week is required).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Output table: .csv, .xlsx or .md (metadata goes to OUTPUT.meta.json).",
)
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False), help="Edited codebook YAML (default: the packaged one).")
@click.option("--family", type=str, help="Only labels of this family: stoff, bekymring or tiltak.")
def summarize(tagged: str, by: tuple[str, ...], output: str, codebook_path: str | None, family: str | None) -> None:
    """Count the themes of TAGGED (written by `fritekst tag`) per week.

    For every group and label: answers in the group, answers asserting the label, their
    share with a Wilson 95% interval, the change since the previous week in percentage
    points, and a flag for groups with fewer than 10 answers.
    """
    from fritekst.codebook import load_codebook

    codebook = load_codebook(codebook_path)
    df = write_summary(tagged, output, by=by, codebook=codebook, family=family)
    keys = list(normalize_by(by))
    groups = df[keys].drop_duplicates().shape[0] if len(df) else 0
    click.echo(f"Wrote {output}: {len(df)} rows, {groups} groups, {df['label'].nunique()} labels.")
    unknown = df.attrs.get("unknown_labels") or []
    if unknown:
        click.echo(f"Warning: labels not in the codebook were not counted: {', '.join(unknown)}", err=True)
