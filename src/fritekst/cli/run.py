"""``fritekst run``: the whole weekly job in one command (tag -> summarize -> report)."""

from __future__ import annotations

from pathlib import Path

import click

from fritekst.cli.options import base_option, codebook_option, no_classifier_option, year_option


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option("-o", "--out-dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the outputs (created if missing).")
@year_option
@codebook_option
@base_option
@no_classifier_option
@click.option("--places", is_flag=True, help="Also redact place names in the report's quotes.")
def run(input_path: str, out_dir: str, year: int | None, codebook_path: str | None, base: str,
        no_classifier: bool, places: bool) -> None:
    """Tag the survey export INPUT and write, in OUT_DIR: tagged.jsonl, uketabell.xlsx
    (themes per week), uketabell.csv, rapport.html and rapport.md.

    Columns are recognised from the header; use `fritekst tag` with --text-col etc.
    when they are not.
    """
    from fritekst.codebook import load_codebook
    from fritekst.nlp.base import load_base
    from fritekst.report import write_reports
    from fritekst.summarize import write_summary
    from fritekst.tagging import tag_file

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    codebook = load_codebook(codebook_path)
    # one copy of the --base pipeline tags the comments and redacts the report's quotes
    nlp = load_base(base)
    tagged = out / "tagged.jsonl"
    meta = tag_file(input_path, tagged, codebook=codebook, nlp=nlp,
                    use_classifier=not no_classifier, year=year)
    for warning in meta["warnings"]:
        click.echo(f"Warning: {warning}", err=True)
    counts = meta["counts"]
    click.echo(f"Tagged {counts['comments']} comments, skipped {counts['skipped_empty']} empty answers "
               f"-> {tagged}")
    for name in ("uketabell.xlsx", "uketabell.csv"):
        write_summary(tagged, out / name, by=("week",), codebook=codebook)
    click.echo(f"Weekly table -> {out / 'uketabell.xlsx'}, {out / 'uketabell.csv'}")
    report_meta = write_reports(tagged, [out / "rapport.html", out / "rapport.md"], codebook=codebook,
                                places=places, nlp=nlp)[0]
    click.echo(f"Report -> {out / 'rapport.html'}, {out / 'rapport.md'} "
               f"({report_meta['counts']['n_quotes']} quotes, redacted: "
               f"{', '.join(report_meta['redactions']) or 'nothing found'})")
