"""``fritekst report``: the weekly report (HTML or Markdown) from a tagged JSONL file."""

from __future__ import annotations

import click

from fritekst.cli.options import base_option
from fritekst.report import write_report


@click.command()
@click.argument("tagged", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Report file: .html or .md.")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False), help="Edited codebook YAML (default: the packaged one).")
@click.option("--no-redact", is_flag=True, help="Do not redact quotes (names, phone numbers, e-mail, ...). Not for publishing.")
@click.option("--places", is_flag=True, help="Also redact place names in quotes.")
@click.option("--quotes", "quotes_per_label", default=3, show_default=True, type=click.IntRange(0, 10), help="Quotes per theme.")
@base_option
def report(tagged: str, output: str, codebook_path: str | None, no_redact: bool, places: bool, quotes_per_label: int,
           base: str) -> None:
    """Render the Norwegian weekly report for TAGGED (written by `fritekst tag`).

    Per family (rusmidler, bekymringer, tiltak) a weekly table with shares and intervals
    and a trend chart, the most mentioned substances, answers by region, redacted quotes
    per theme and a methods section. Reads TAGGED.meta.json when present. --base picks the
    pipeline that redacts the quotes (use the one that tagged them).
    """
    from fritekst.codebook import load_codebook
    from fritekst.nlp.base import load_base

    codebook = load_codebook(codebook_path)
    nlp = None if no_redact else load_base(base)
    meta = write_report(
        tagged,
        output,
        codebook=codebook,
        redact=not no_redact,
        places=places,
        nlp=nlp,
        quotes_per_label=quotes_per_label,
    )
    counts = meta["counts"]
    redacted = ", ".join(meta["redactions"]) or "none"
    click.echo(
        f"Wrote {output}: {counts['n_answers']} answers, {counts['n_weeks']} weeks, {counts['n_quotes']} quotes"
        + (f" (redacted: {redacted})." if not no_redact else " (NOT redacted).")
    )
