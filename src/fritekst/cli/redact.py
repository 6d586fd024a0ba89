"""``fritekst redact``: replace personal data in comments with typed placeholders."""

from __future__ import annotations

import click

from fritekst.cli.options import base_option
from fritekst.nlp.base import load_base
from fritekst.redact import KINDS, Redactor, redact_file


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False),
    help="Output file, same shape as INPUT (tagged JSONL, or the export's format).",
)
@click.option(
    "--places", is_flag=True,
    help="Also replace place names (municipalities, towns, regions) with [STED].",
)
@base_option
@click.option(
    "--text-col", "text_cols", multiple=True, metavar="COLUMN",
    help="Free-text column of a survey export to redact (repeat for several); "
    "default: the columns fritekst recognises.",
)
def redact(
    input_path: str, output: str, places: bool, base: str, text_cols: tuple[str, ...]
) -> None:
    """Redact names, phone numbers, e-mail addresses, fødselsnummer, bank account
    numbers and street addresses in INPUT, a tagged JSONL file (from `fritekst tag`) or a survey export
    (CSV, XLSX, JSONL), and write OUTPUT with the same shape.

    Items are replaced by [NAVN], [TELEFON], [EPOST], [FØDSELSNUMMER], [KONTONUMMER],
    [ADRESSE] (and [STED] with --places). Tagged records keep their labels; mentions inside a redacted
    region are dropped and the others moved. Counts per type are printed to stderr.
    """
    redactor = Redactor(load_base(base), places=places)
    summary = redact_file(
        input_path, output, redactor=redactor, places=places, text_cols=text_cols or None
    )
    what = "records" if summary.kind == "tagged" else "text cells"
    click.echo(
        f"{summary.output}: {summary.records} {what}, {summary.changed} with something "
        f"redacted",
        err=True,
    )
    kinds = [k for k in KINDS if places or k != "STED"]
    click.echo("redacted: " + ", ".join(f"{k} {summary.counts.get(k, 0)}" for k in kinds), err=True)
    if summary.mentions_dropped:
        click.echo(f"mentions dropped (inside a redacted region): {summary.mentions_dropped}", err=True)
