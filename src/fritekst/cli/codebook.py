"""``fritekst codebook check|export``: validate an edited codebook, write the default out."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def codebook() -> None:
    """Check an edited codebook, or write the default one out for editing."""


@codebook.command()
@click.argument("path", type=click.Path(dir_okay=False))
def check(path: str) -> None:
    """Report every problem of codebook PATH with its place (exit 1 if any)."""
    from fritekst.codebook import check_codebook, load_codebook

    problems = check_codebook(path)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
    cb = load_codebook(path)
    n_entries = sum(len(lab.entries) for lab in cb.labels)
    click.echo(f"{path}: OK, version {cb.version}, {len(cb.labels)} labels, {n_entries} lexicon entries")


@codebook.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Where to write the codebook YAML.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def export(output: str, force: bool) -> None:
    """Write the packaged default codebook to OUTPUT for editing."""
    from fritekst.codebook import default_codebook_text
    from fritekst.errors import InputError
    from fritekst.write import write_text

    if Path(output).exists() and not force:
        raise InputError(f"{output}: file exists (use --force to overwrite)")
    write_text(output, default_codebook_text())
    click.echo(f"Wrote the default codebook to {output}")
