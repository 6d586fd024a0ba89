"""Tests for fritekst.report and ``fritekst report`` (HTML and Markdown).

The tagged records are constructed (tests/report_samples.py), not survey data.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

from fritekst.cli import main
from fritekst.codebook import load_codebook
from fritekst.errors import InputError
from fritekst.report import build_report, md_escape, pct, pp, read_sidecar_meta, render_report, week_label
from report_samples import SCRIPT, sample_records, write_tagged

META = {
    "pipeline": {"name": "nb_fritekst", "lang": "nb", "version": "0.1.0"},
    "classifier": None,
    "counts": {"n_rows": 50, "n_comments": 48, "skipped_empty": 2},
}


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture(scope="module")
def context(codebook):
    return build_report(sample_records(), codebook=codebook, meta=META, redact=False)


@pytest.fixture(scope="module")
def html(context):
    return render_report(context, "html")


@pytest.fixture(scope="module")
def markdown(context):
    return render_report(context, "md")


@pytest.mark.parametrize(
    "func,value,expected",
    [
        (week_label, "2020-W28", "uke 28"),
        (week_label, "2020-W09", "uke 9"),
        (week_label, "ukjent", "ukjent uke"),
        (week_label, "vår 2020", "vår 2020"),
        (pct, 0.25, "25,0 %"),
        (pct, 1 / 3, "33,3 %"),
        (pp, 15.0, "+15,0 p.p."),
        (pp, -4.25, "−4,2 p.p."),
        (pp, float("nan"), "–"),
    ],
)
def test_formatting(func, value, expected):
    assert func(value) == expected


def test_context_counts(context):
    assert context["n_answers"] == 48
    assert [w["week"] for w in context["weeks"]] == ["2020-W24", "2020-W26", "2020-W28"]
    assert [w["n_answers"] for w in context["weeks"]] == [14, 22, 12]
    assert [f["id"] for f in context["families"]] == ["stoff", "bekymring", "tiltak"]


def test_findings_are_cautious_and_name_the_missing_region(context):
    text = " ".join(context["findings"])
    assert "I uke 28 er det 12 svar i fritekstfeltene, mot 22 i uke 26." in text
    assert "tolkes med forsiktighet" in text  # 12 < 0.8 * 22
    assert "ingen svar fra Sørlandet" in text
    assert re.search(r"(Økning|Nedgang) i andelen svar som nevner", text)


def test_html_structure(html, codebook):
    assert html.startswith("<!DOCTYPE html>")
    for heading in ("Hovedfunn fra kartleggingen i uke 28", "Rusmidler", "Bekymringer", "Tiltak",
                    "Mest nevnte rusmidler", "Svar etter landsdel", "Sitater fra uke 28", "Metode"):
        assert heading in html
    assert html.count("<svg class=\"chart\"") == 3
    assert html.count("<table class=\"weekly\">") == 3
    text = unescape(html)
    for lab in codebook.labels:
        assert lab.name in text
    assert "@media print" in html


def test_html_escapes_comment_markup(html):
    assert SCRIPT not in html
    assert "<script" not in html
    assert "&lt;script&gt;document.title=" in html


def test_html_has_no_external_references(html):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "@import" not in html and "url(" not in html


def test_html_highlights_mentions(html):
    assert "<mark>ikke får helsehjelp</mark>" in html
    assert re.search(r"<mark>(Rivotril|benzoer)</mark>", html)


def test_negated_mention_is_never_highlighted(context):
    for fam in context["quote_families"]:
        for item in fam["labels"]:
            if item["id"] == "bekymring:overdose":
                for q in item["quotes"]:
                    assert not q.text.startswith("Ingen melder om overdoser")


def test_shares_are_rounded_once(codebook, tmp_path):
    """3 of 76 answers is 3.947 %: "3,9 %" in the report, 0.0395 in the written table."""
    from report_samples import make_record

    from fritekst.summarize import write_summary

    text = "Flere overdoser i helgen."
    recs = [make_record(i, text, [("overdoser", "bekymring:overdose", None, False)] if i < 3 else [],
                        "2020-W16", "Østlandet", "bekymring") for i in range(76)]
    md = render_report(build_report(recs, codebook=codebook, redact=False), "md")
    row = next(line for line in md.splitlines() if line.startswith("| Overdoser"))
    assert "3,9 % (n=3; 1,4–11,0)" in row  # Wilson 95 %: 0.01353–0.11000
    table = write_summary(write_tagged(tmp_path / "t.jsonl", recs), tmp_path / "t.csv", codebook=codebook)
    assert table.set_index("label").loc["bekymring:overdose", "share"] == 0.0395


def test_small_n_marked(codebook):
    recs = sample_records({"2020-W26": 12, "2020-W28": 6})
    html = render_report(build_report(recs, codebook=codebook, redact=False), "html")
    assert "Det er færre enn 10 svar denne uken" in html
    assert 'class="small-n">6*<' in html


def test_methods_from_sidecar(html, markdown, codebook):
    assert "nb_fritekst 0.1.0" in html
    assert "nb\\_fritekst 0.1.0" in markdown  # Markdown-escaped underscore
    for text in (html, markdown):
        assert f"versjon {md_escape(codebook.version)}" in text
        assert "Tomme svar hoppet over" in text
    assert "<dt>Tomme svar hoppet over</dt><dd>2</dd>" in html
    assert "(fra 50 rader)" in html


def test_markdown(markdown):
    assert markdown.startswith("# Korona og rus")
    assert "## Hovedfunn fra kartleggingen i uke 28" in markdown
    assert "| Tema | Uke 24 | Uke 26 | Uke 28 |" in markdown
    assert "**ikke får helsehjelp**" in markdown
    assert "<script" not in markdown and "&lt;script&gt;" in markdown
    # each table row has as many cells as its header
    for block in re.findall(r"(?:^\|.*\|\n)+", markdown, re.M):
        widths = {len(re.findall(r"(?<!\\)\|", line)) for line in block.strip().splitlines()}
        assert len(widths) == 1, block


@pytest.mark.parametrize(
    "value,expected",
    [
        ("a|b", "a\\|b"),
        ("**fet**", "\\*\\*fet\\*\\*"),
        ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
        ("linje 1\nlinje 2", "linje 1 linje 2"),
        (None, ""),
    ],
)
def test_md_escape(value, expected):
    assert md_escape(value) == expected


def test_no_records_is_an_error(codebook):
    with pytest.raises(InputError, match="no tagged answers"):
        build_report([], codebook=codebook)


def test_sidecar_meta(tmp_path):
    path = write_tagged(tmp_path / "t.jsonl", sample_records(), META)
    assert read_sidecar_meta(path)["counts"]["skipped_empty"] == 2
    assert read_sidecar_meta(tmp_path / "other.jsonl") is None
    Path(f"{path}.meta.json").write_text("[1, 2", encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.jsonl\.meta\.json"):
        read_sidecar_meta(path)


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def tagged(tmp_path: Path) -> Path:
    return write_tagged(tmp_path / "tagged.jsonl", sample_records(), META)


def test_cli_html_redacts_by_default(tmp_path, tagged):
    out = tmp_path / "rapport.html"
    result = CliRunner().invoke(main, ["report", str(tagged), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}: 48 answers, 3 weeks" in result.output
    html = out.read_text(encoding="utf-8")
    assert "912 34 567" not in html and "[TELEFON]" in html
    assert "<mark>ikke får helsehjelp</mark>" in html
    meta = json.loads((tmp_path / "rapport.html.meta.json").read_text(encoding="utf-8"))
    assert meta["kind"] == "report" and meta["redact"] is True
    assert meta["counts"]["n_answers"] == 48
    assert any("telefon" in r for r in meta["redactions"])


def test_cli_base_picks_the_redaction_pipeline(tmp_path, tagged):
    out = tmp_path / "rapport.html"
    result = CliRunner().invoke(main, ["report", str(tagged), "-o", str(out), "--base", "blank"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "912 34 567" not in html and "[TELEFON]" in html  # rules need no model
    result = CliRunner().invoke(main, ["report", str(tagged), "-o", str(tmp_path / "r2.html"),
                                       "--base", str(tmp_path / "finnes-ikke")])
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert "finnes-ikke" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "r2.html").exists()


def test_cli_markdown_no_redact(tmp_path, tagged):
    out = tmp_path / "rapport.md"
    result = CliRunner().invoke(main, ["report", str(tagged), "-o", str(out), "--no-redact"])
    assert result.exit_code == 0, result.output
    assert "NOT redacted" in result.output
    md = out.read_text(encoding="utf-8")
    assert "912 34 567" in md
    assert "sitatene er ikke anonymisert" in md


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("bad.jsonl", '{"id": "1", "text": "hasj"\n', "bad.jsonl"),
        ("empty.jsonl", "", "empty.jsonl"),
        ("blank.jsonl", "\n\n", "blank.jsonl"),
    ],
)
def test_cli_bad_input_leaves_no_output(tmp_path, name, content, message):
    src = tmp_path / name
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "rapport.html"
    result = CliRunner().invoke(main, ["report", str(src), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_cli_bad_suffix(tmp_path, tagged):
    out = tmp_path / "rapport.pdf"
    result = CliRunner().invoke(main, ["report", str(tagged), "-o", str(out)])
    assert result.exit_code == 1
    assert "rapport.pdf: report must end in .html or .md" in result.output
    assert not out.exists()


def test_cli_missing_file(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path / "mangler.jsonl"), "-o", str(tmp_path / "r.html")])
    assert result.exit_code in (1, 2)
    assert "mangler.jsonl" in result.output
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("command", ["summarize", "report"])
def test_commands_have_help(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "TAGGED" in result.output and "-o, --output" in result.output


def test_answers_without_week_are_counted_and_explained(codebook):
    from dataclasses import replace

    recs = [replace(r, week=None) if i % 10 == 0 else r for i, r in enumerate(sample_records())]
    context = build_report(recs, codebook=codebook, redact=False)
    assert context["n_answers"] == 48
    assert [w["week"] for w in context["weeks"]] == ["2020-W24", "2020-W26", "2020-W28"]
    assert sum(w["n_answers"] for w in context["weeks"]) == 48 - 5
    assert "5 svar uten uke er ikke med i ukestabellene" in render_report(context, "html")
