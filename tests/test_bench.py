"""bench/bench_tag.py: argument checks, the measured stages and the printed table."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_tag.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    name = "fritekst_bench_tag"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCH)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--n", "0"], "--n must be between 1 and 100,000"),
        (["--n", "100001"], "--n must be between 1 and 100,000"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--stages", "blank,gpu"], "unknown stage(s) ['gpu']"),
        (["--repeat", "0"], "--repeat must be at least 1"),
    ],
)
def test_bad_arguments_are_refused(bench: ModuleType, argv: list[str], message: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        bench.parse_args(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_defaults(bench: ModuleType) -> None:
    args = bench.parse_args([])
    assert (args.n, args.batch_size, args.base, args.stages) == (5000, 256, None, ["blank", "base", "tag"])


@pytest.mark.parametrize("stage", ["blank", "base", "tag"])
def test_stage_processes_every_comment_and_measures_it(bench: ModuleType, stage: str) -> None:
    if stage == "tag":
        pytest.importorskip("fritekst.tagging")
    result = bench.run_stage(stage, 120, seed=3, base=None, batch_size=32, trace=True, repeat=2)
    texts = [c["text"] for c in bench.make_comments(120, 3)]
    assert result["items"] == 120
    assert result["words"] == sum(len(t.split()) for t in texts)
    assert result["run_s"] == min(result["run_s_all"]) > 0 and len(result["run_s_all"]) == 2
    assert result["comments_per_s"] == pytest.approx(120 / result["run_s"])
    assert result["tracemalloc_peak_mib"] > 0
    assert result["max_rss_mib"] > 10
    if stage == "tag":
        assert result["labels"] > 0 and result["mentions"] > 0
    else:
        assert result["tokens"] > result["words"]  # punctuation splits off


def test_isolated_run_and_table(bench: ModuleType) -> None:
    results = [
        bench.run_isolated("blank", 50, 1, None, 16, False),
        {"stage": "tag", "error": "ModuleNotFoundError: no tagger"},
    ]
    assert results[0]["items"] == 50 and results[0]["tracemalloc_peak_mib"] is None
    table = bench.format_table(results).splitlines()
    assert table[0].split()[:3] == ["stage", "load", "s"]
    assert table[2].startswith('spacy.blank("nb") (floor)')
    assert "failed" in table[3]
    assert table[-1] == "fritekst Tagger failed: ModuleNotFoundError: no tagger"
