"""``fritekst tag`` (placeholder until the tagging module lands)."""

from __future__ import annotations

import click


@click.command()
@click.argument("input_path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Output file (.jsonl, .csv or .xlsx).")
def tag(input_path: str, output: str) -> None:
    """Tag the comments of a survey export INPUT_PATH."""
    raise click.ClickException("not implemented yet")
