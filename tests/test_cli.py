"""The CLI as a whole: every command documents itself, errors are one line with exit 1,
and `fritekst run` does the weekly job on the bundled example export."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd
from click.testing import CliRunner

from fritekst.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "example" / "svar.xlsx"


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((prefix + name, cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, prefix + name + " ")
    return out


def test_every_command_has_help_text():
    missing = [name for name, cmd in _commands(main) if not (cmd.help or "").strip()]
    assert missing == []
    for name, cmd in _commands(main):
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"{name} {param.opts[0]} has no help"


def test_run_writes_all_outputs(tmp_path):
    out = tmp_path / "ut"
    result = CliRunner().invoke(main, ["run", str(EXAMPLE), "-o", str(out), "--no-classifier"])
    assert result.exit_code == 0, result.output
    for name in ("tagged.jsonl", "uketabell.xlsx", "uketabell.csv", "rapport.html", "rapport.md"):
        assert (out / name).stat().st_size > 0
        assert (out / (name + ".meta.json")).exists()
    records = [json.loads(line) for line in (out / "tagged.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 300
    table = pd.read_csv(out / "uketabell.csv")
    assert list(table.columns[:4]) == ["week", "label", "n_answers", "n"]
    assert table["week"].nunique() >= 6
    # the denominators are the answers of each week
    per_week = pd.Series([r["week"] for r in records]).value_counts()
    for week, n in table.groupby("week")["n_answers"].first().items():
        assert per_week[week] == n
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "<svg" in html and "Metode" in html and "<script>alert" not in html


def test_run_missing_input_is_one_line_error(tmp_path):
    result = CliRunner().invoke(main, ["run", str(tmp_path / "finnes_ikke.xlsx"), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1
    assert "finnes_ikke.xlsx" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "ut" / "tagged.jsonl").exists()
