"""Codebook loading and validation: every problem is reported with its place."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from fritekst.cli import main
from fritekst.codebook import (
    FAMILIES,
    check_codebook,
    default_codebook_text,
    load_codebook,
    parse_phrase,
    parse_term,
)
from fritekst.errors import CodebookError

CODEBOOK_V1_IDS = {
    "stoff": ["cannabis", "amfetamin", "kokain", "heroin", "opioider", "lar", "benzodiazepiner", "ghb",
              "alkohol", "ecstasy", "hallusinogener", "legemidler", "andre"],
    "bekymring": ["smitte", "tilgang_hjelp", "tilgang_rusmidler", "overdose", "psykisk_helse", "ensomhet",
                  "endret_bruk", "smittevern_brudd", "okonomi", "bolig", "vold_uro", "unge"],
    "tiltak": ["oppsokende", "brukerutstyr", "nalokson", "mat", "legemiddelutlevering", "digital_oppfolging",
               "testing", "isolering_bolig", "smittevern", "informasjon", "aktivitet", "samtaler", "samarbeid",
               "behandling", "praktisk_bistand"],
}

HEADER = """\
version: "9"
families:
  stoff: Rusmidler
  bekymring: Bekymringer
  tiltak: Tiltak
labels:
"""


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "kodebok.yaml"
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def test_packaged_codebook_has_exactly_the_v1_ids_in_order() -> None:
    cb = load_codebook()
    expected = [f"{fam}:{name}" for fam in FAMILIES for name in CODEBOOK_V1_IDS[fam]]
    assert cb.ids == expected
    assert set(cb.families) == set(FAMILIES)
    assert all(lab.name and lab.description for lab in cb.labels)
    assert len(cb.sha256) == 64 and cb.version == "1.0.0"
    assert cb.label("stoff:benzodiazepiner").family == "stoff"
    assert "rivotril" in cb.label("stoff:benzodiazepiner").substances
    with pytest.raises(CodebookError, match="unknown label id 'stoff:tobakk'"):
        cb.label("stoff:tobakk")


def test_packaged_codebook_is_valid_and_hash_is_of_the_bytes(tmp_path: Path) -> None:
    assert check_codebook() == []
    p = tmp_path / "copy.yaml"
    p.write_bytes(default_codebook_text().encode("utf-8"))
    assert load_codebook(p).sha256 == load_codebook().sha256
    p.write_bytes(p.read_bytes() + b"\n# en kommentar\n")
    assert load_codebook(p).sha256 != load_codebook().sha256


@pytest.mark.parametrize(
    "body,line,message",
    [
        ("  - id: stoff:hasj\n    name: Hasj\n    substances: {hasj: [hasj]}\n    termz: [x]\n", 10, "unknown key 'termz'"),
        ("  - id: bekymring:a\n    name: A\n    terms: [aaa]\n  - id: bekymring:a\n    name: B\n    terms: [bbb]\n",
         10, "duplicate label id 'bekymring:a' (first at line 7)"),
        ("  - id: Stoff-Hasj\n    name: Hasj\n    terms: [hasj]\n", 7, "bad label id 'Stoff-Hasj'"),
        ("  - id: tobakk:snus\n    name: Snus\n    terms: [snus]\n", 7, "unknown family 'tobakk'"),
        ("  - id: bekymring:a\n    name: A\n    patterns:\n      - [{LOWERX: tørke}]\n", 10, "bad pattern"),
        ("  - id: bekymring:a\n    name: A\n    terms: [tørke]\n  - id: bekymring:b\n    name: B\n    terms: [tørke*]\n",
         12, "term 'tørke*' is also listed under 'bekymring:a' (line 9)"),
        ("  - id: bekymring:a\n    name: A\n    terms: [tørke, tørke]\n", 9, "term 'tørke' is listed twice"),
        ("  - id: bekymring:a\n    name: A\n    terms: [rus tørke]\n", 9, "contains a space"),
        ("  - id: bekymring:a\n    name: A\n    phrases: [\"<tiltak> tørke\"]\n", 9, "unknown token class"),
        ("  - id: bekymring:a\n    name: A\n    phrases: [\"... tørke\"]\n", 9, "cannot begin or end with '...'"),
        ("  - id: stoff:a\n    name: A\n    terms: [hasj]\n", 7, "needs 'substances'"),
        ("  - id: bekymring:a\n    terms: [tørke]\n", 7, "missing key 'name'"),
        ("  - id: bekymring:a\n    name: A\n", 7, "no lexicon entries"),
        ("  - id: bekymring:a\n    name: A\n    terms: [t*ørke]\n", 9, "only allowed at the ends"),
    ],
)
def test_each_problem_names_its_line_label_and_key(tmp_path: Path, body: str, line: int, message: str) -> None:
    p = _write(tmp_path, body)
    problems = check_codebook(p)
    assert any(pr.line == line and message in pr.message for pr in problems), [str(x) for x in problems]
    assert all(str(pr).startswith(f"{p}:") for pr in problems)
    with pytest.raises(CodebookError) as err:
        load_codebook(p)
    assert str(err.value).startswith(f"{p}:")
    assert "\n" not in str(err.value)


def test_all_problems_are_reported_not_only_the_first(tmp_path: Path) -> None:
    body = (
        "  - id: bekymring:a\n    name: A\n    terms: [tørke]\n    farge: rød\n"
        "  - id: bekymring:a\n    name: A2\n    terms: [uro]\n"
        "  - id: tiltak:b\n    name: B\n    patterns:\n      - [{FOO: 1}]\n"
    )
    problems = check_codebook(_write(tmp_path, body))
    msgs = " | ".join(str(p) for p in problems)
    assert len(problems) >= 3, msgs
    assert "unknown key 'farge'" in msgs and "duplicate label id" in msgs and "bad pattern" in msgs


@pytest.mark.parametrize(
    "text,message",
    [
        ("version: 1\nfamilies: [a, b]\nlabels: []\n", "'families' must be a mapping"),
        ("version: 1\nfamilies: {stoff: S, bekymring: B, tiltak: T}\nlabels:\n  - id: x\n  - [\n", "invalid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        ("version: 1\nfamilies: {stoff: S, bekymring: B, tiltak: T}\nlabels: []\nextra: 1\n", "unknown top-level key 'extra'"),
    ],
)
def test_structural_problems(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "k.yaml"
    p.write_text(text, encoding="utf-8")
    assert any(message in pr.message for pr in check_codebook(p))


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="codebook file not found"):
        load_codebook(tmp_path / "nope.yaml")
    p = tmp_path / "latin1.yaml"
    p.write_bytes("version: 1\n# bl\xe5\n".encode("latin-1"))
    with pytest.raises(CodebookError, match="not UTF-8"):
        load_codebook(p)


@pytest.mark.parametrize(
    "raw,text,prefix,suffix,inflect,case",
    [
        ("hasj*", "hasj", True, False, True, False),
        ("*tørke", "tørke", False, True, True, False),
        ("*tilbud*", "tilbud", True, True, True, False),
        ("=amf", "amf", False, False, False, False),
        ("^LAR*", "LAR", True, False, True, True),
        ("Rivotril", "rivotril", False, False, True, False),
    ],
)
def test_term_syntax(raw: str, text: str, prefix: bool, suffix: bool, inflect: bool, case: bool) -> None:
    spec = parse_term(raw)
    assert (spec.text, spec.prefix, spec.suffix, spec.inflect, spec.case) == (text, prefix, suffix, inflect, case)


def test_phrase_syntax() -> None:
    words = parse_phrase("mangel_på|manglende ... <stoff>|hasj")
    assert [len(a) for a in words[0].alternatives] == [2, 1]
    assert words[1].gap and words[2].token_class == "stoff"
    with pytest.raises(ValueError, match="one word"):
        parse_phrase("tørke")


def test_edited_codebook_changes_tagging(tmp_path: Path) -> None:
    from fritekst.tagging import Tagger

    text = default_codebook_text().replace("hasj: [hasj*,", "hasj: [hasj*, bøttis,")
    p = tmp_path / "min.yaml"
    p.write_text(text, encoding="utf-8")
    assert Tagger(base="blank").tag_text("Mye bøttis").labels == ()
    assert Tagger(base="blank", codebook=p).tag_text("Mye bøttis").labels == ("stoff:cannabis",)


def test_cli_codebook_export_and_check(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "kodebok.yaml"
    res = runner.invoke(main, ["codebook", "export", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8") == default_codebook_text()
    res = runner.invoke(main, ["codebook", "export", "-o", str(out)])
    assert res.exit_code == 1 and "file exists" in res.output
    res = runner.invoke(main, ["codebook", "check", str(out)])
    assert res.exit_code == 0 and "OK, version 1.0.0, 40 labels" in res.output


def test_cli_codebook_check_reports_every_problem(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "  - id: bekymring:a\n    name: A\n    terms: [tørke]\n    farge: rød\n"
        "  - id: bekymring:a\n    name: A\n    terms: [uro]\n",
    )
    res = CliRunner().invoke(main, ["codebook", "check", str(p)])
    assert res.exit_code == 1
    assert f"{p}:10: label 'bekymring:a': unknown key 'farge'" in res.output
    assert f"{p}:11: duplicate label id 'bekymring:a' (first at line 7)" in res.output
    assert f"Error: {p}: 2 problems" in res.output
    assert "Traceback" not in res.output


def test_cli_tag_with_bad_codebook_fails_cleanly(tmp_path: Path) -> None:
    p = _write(tmp_path, "  - id: bekymring:a\n    name: A\n    termz: [x]\n")
    src = tmp_path / "svar.csv"
    src.write_text("id;uke;kommentar\n1;28;Mer hasj\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(main, ["tag", str(src), "-o", str(out), "--codebook", str(p), "--year", "2020"])
    assert res.exit_code == 1
    assert f"Error: {p}:9: label 'bekymring:a': unknown key 'termz'" in res.output
    assert not out.exists()
