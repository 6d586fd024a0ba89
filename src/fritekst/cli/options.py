"""Click options shared by several commands, each defined once."""

from __future__ import annotations

import click

year_option = click.option("--year", type=int, help="Year for bare week numbers (e.g. 'uke 28').")
codebook_option = click.option(
    "--codebook", "codebook_path", type=click.Path(dir_okay=False),
    help="An edited codebook YAML (default: the packaged codebook).",
)
base_option = click.option(
    "--base", default="auto", show_default=True,
    help="Base pipeline: auto, fritekst, blank, an installed package or a folder.",
)
no_classifier_option = click.option(
    "--no-classifier", is_flag=True, help="Rules only: do not use the shipped classifier.",
)
