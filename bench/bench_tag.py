"""Benchmark fritekst tagging on N constructed comments.

    python bench/bench_tag.py --n 10000 [--base auto] [--batch-size 256] [--json out.json]

The comments come from the example generator (``corpus/example/make_example.py``,
constructed text, not survey data). Three stages run on the same texts in the same
command, each in a fresh Python process so that its peak memory is its own:

1. ``blank``: ``spacy.blank("nb")``, the bare Norwegian tokenizer: the floor;
2. ``base``: the base pipeline alone (``fritekst.nlp.base.load_base``) via ``nlp.pipe``;
3. ``tag``: ``fritekst.tagging.Tagger().tag(comments)``, the whole tagging step
   (base pipeline, codebook rules, negation, classifier where shipped).

For each stage it reports the load time, comments/s and words/s (whitespace-separated
words), the tracemalloc peak (Python allocations while processing, measured in a second
pass so that tracing does not slow the timed pass) and the process's peak resident memory
(``resource.getrusage`` ``ru_maxrss``: interpreter, spaCy, the pipeline and the N texts).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "corpus" / "example" / "make_example.py"
STAGES: tuple[str, ...] = ("blank", "base", "tag")
MAX_N = 100_000
WARMUP = 50


def load_generator() -> ModuleType:
    """Import ``corpus/example/make_example.py`` (it is a script, not a package module)."""
    name = "fritekst_example_generator"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, GENERATOR)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import the example generator {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def make_comments(n: int, seed: int) -> list[dict[str, str]]:
    """N constructed comments as plain dicts (id, week, region, question, text)."""
    return list(load_generator().iter_comments(n, seed=seed))


def max_rss_mib() -> float:
    """This process's peak resident set size in MiB (Linux reports KiB, macOS bytes)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _runner(stage: str, base: str | None, batch_size: int, rows: Sequence[dict[str, str]]) -> tuple[
    Callable[[Sequence[dict[str, str]]], Iterable[Any]], dict[str, Any]
]:
    """Build the stage's processing function (a generator over its outputs) and its info."""
    if stage == "blank":
        import spacy

        nlp = spacy.blank("nb")
        info = {"pipeline": 'spacy.blank("nb")', "components": []}
        return (lambda rs: nlp.pipe((r["text"] for r in rs), batch_size=batch_size)), info
    if stage == "base":
        from fritekst.nlp.base import load_base, pipeline_info, resolve_base

        nlp = load_base(base)
        info = {"resolved": resolve_base(base), **pipeline_info(nlp)}
        return (lambda rs: nlp.pipe((r["text"] for r in rs), batch_size=batch_size)), info
    if stage == "tag":
        from fritekst.classify import load_classifier
        from fritekst.records import Comment
        from fritekst.tagging import Tagger

        # As `fritekst tag` does: a fresh base pipeline with the rules added, and the
        # shipped classifier where there is one.
        tagger = Tagger(base=base, batch_size=batch_size, classifier=load_classifier())
        info = {"meta": tagger.meta()}

        def run(rs: Sequence[dict[str, str]]) -> Iterable[Any]:
            comments = (Comment(id=r["id"], text=r["text"], week=r["week"], region=r["region"],
                                question=r["question"]) for r in rs)
            return tagger.tag(comments)

        return run, info
    raise ValueError(f"unknown stage {stage!r}")


def _consume(outputs: Iterable[Any], stage: str) -> dict[str, int]:
    """Drain a stage's outputs; count tokens (spaCy stages) or labels/mentions (tag)."""
    stats = {"items": 0, "tokens": 0, "labels": 0, "mentions": 0}
    for out in outputs:
        stats["items"] += 1
        if stage == "tag":
            stats["labels"] += len(out.labels)
            stats["mentions"] += len(out.mentions)
        else:
            stats["tokens"] += len(out)
    return stats


def run_stage(stage: str, n: int, seed: int, base: str | None, batch_size: int, trace: bool,
              repeat: int = 1) -> dict[str, Any]:
    """Run one stage on N constructed comments in this process and measure it.

    With ``repeat`` > 1 the timed pass runs that many times and the fastest counts (as
    ``timeit`` does: slower passes measure other load on the machine, not the code).
    """
    rows = make_comments(n, seed)
    words = sum(len(r["text"].split()) for r in rows)
    t0 = time.perf_counter()
    process, info = _runner(stage, base, batch_size, rows)
    _consume(process(rows[:WARMUP]), stage)  # lazy initialisation is part of loading
    load_s = time.perf_counter() - t0

    times: list[float] = []
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        stats = _consume(process(rows), stage)
        times.append(time.perf_counter() - t0)
    run_s = min(times)
    if stats["items"] != n:
        raise SystemExit(f"stage {stage}: {stats['items']} outputs for {n} comments")

    peak_mib: float | None = None
    if trace:
        tracemalloc.start()
        _consume(process(rows), stage)
        peak_mib = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
        tracemalloc.stop()
    return {
        "stage": stage,
        "n": n,
        "words": words,
        "load_s": load_s,
        "run_s": run_s,
        "run_s_all": times,
        "comments_per_s": n / run_s if run_s else float("inf"),
        "words_per_s": words / run_s if run_s else float("inf"),
        "tracemalloc_peak_mib": peak_mib,
        "max_rss_mib": max_rss_mib(),
        **stats,
        "info": info,
    }


def run_isolated(stage: str, n: int, seed: int, base: str | None, batch_size: int, trace: bool,
                 repeat: int = 1) -> dict[str, Any]:
    """Run a stage in a fresh Python process so that its peak RSS is its own."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child-stage", stage, "--n", str(n),
           "--seed", str(seed), "--batch-size", str(batch_size), "--repeat", str(repeat)]
    if base:
        cmd += ["--base", base]
    if not trace:
        cmd.append("--no-trace")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines() or [f"exit code {proc.returncode}"]
        return {"stage": stage, "error": lines[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])  # the last line is the result


STAGE_NAMES = {"blank": 'spacy.blank("nb") (floor)', "base": "base pipeline", "tag": "fritekst Tagger"}


def format_table(results: Sequence[dict[str, Any]]) -> str:
    """A plain-text table of the results."""
    header = ("stage", "load s", "run s", "comments/s", "words/s", "tracemalloc peak MiB", "max RSS MiB")
    lines = [header]
    for r in results:
        if "error" in r:
            lines.append((STAGE_NAMES[r["stage"]], "failed", "-", "-", "-", "-", "-"))
            continue
        peak = "-" if r["tracemalloc_peak_mib"] is None else f"{r['tracemalloc_peak_mib']:,.2f}"
        lines.append((
            STAGE_NAMES[r["stage"]],
            f"{r['load_s']:.2f}",
            f"{r['run_s']:.2f}",
            f"{r['comments_per_s']:,.0f}",
            f"{r['words_per_s']:,.0f}",
            peak,
            f"{r['max_rss_mib']:,.0f}",
        ))
    widths = [max(len(row[i]) for row in lines if i < len(row)) for i in range(len(header))]
    out = []
    for j, row in enumerate(lines):
        cells = [row[0].ljust(widths[0])] + [c.rjust(widths[i]) for i, c in enumerate(row[1:], start=1)]
        out.append("  ".join(cells).rstrip())
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    out.extend(f"{STAGE_NAMES[r['stage']]} failed: {r['error']}" for r in results if "error" in r)
    return "\n".join(out)


def describe(results: Sequence[dict[str, Any]], args: argparse.Namespace) -> str:
    """Header lines: what ran, on what."""
    import spacy

    ok = [r for r in results if "error" not in r]
    words = ok[0]["words"] if ok else 0
    lines = [
        f"fritekst tagging benchmark: {args.n:,} constructed comments ({words:,} words), "
        f"batch size {args.batch_size}, seed {args.seed}, fastest of {args.repeat} timed pass(es)",
        f"Python {platform.python_version()}, spaCy {spacy.__version__}, {platform.machine()} "
        f"{platform.processor() or ''} ({os.cpu_count()} CPUs), {platform.system()}".replace("  ", " "),
    ]
    for r in ok:
        if r["stage"] == "blank":
            lines.append(f"floor tokens: {r['tokens']:,} ({r['tokens'] / max(r['n'], 1):.1f} per comment)")
        if r["stage"] == "base":
            info = r["info"]
            lines.append(f"base pipeline: {info.get('name')} {info.get('version') or ''} "
                         f"(--base {args.base or 'auto'} -> {info.get('resolved')}), "
                         f"components: {', '.join(info.get('components') or []) or 'tokenizer only'}")
        if r["stage"] == "tag":
            meta = r["info"]["meta"]
            clf = meta.get("classifier")
            pipeline = meta.get("pipeline") or {}
            lines.append(f"tagger: {pipeline.get('name')}, components {', '.join(pipeline.get('components') or [])}; "
                         f"classifier: {clf.get('class') if isinstance(clf, dict) else 'none (rules only)'}; "
                         f"{r['labels'] / max(r['n'], 1):.2f} asserted labels and "
                         f"{r['mentions'] / max(r['n'], 1):.2f} mentions per comment")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="number of comments, 1 to 100,000 (default 5000)")
    parser.add_argument("--base", default=None,
                        help="base pipeline for the base and tag stages: auto, fritekst, blank, "
                             "a package name or a path (default: auto, as fritekst tag does)")
    parser.add_argument("--batch-size", type=int, default=256, help="nlp.pipe batch size (default 256)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the comment generator (default 1)")
    parser.add_argument("--stages", default=",".join(STAGES),
                        help=f"comma-separated stages to run (default {','.join(STAGES)})")
    parser.add_argument("--repeat", type=int, default=1,
                        help="timed passes per stage; the fastest counts (default 1)")
    parser.add_argument("--no-trace", action="store_true",
                        help="skip the tracemalloc pass (halves the run time; no tracemalloc peak)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    parser.add_argument("--child-stage", choices=STAGES, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.n <= MAX_N:
        parser.error(f"--n must be between 1 and {MAX_N:,}")
    if args.batch_size < 1:
        parser.error("--batch-size must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = [s for s in stages if s not in STAGES]
    if unknown or not stages:
        parser.error(f"unknown stage(s) {unknown}; choose from {', '.join(STAGES)}")
    args.stages = stages
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child_stage:  # one stage, run by run_isolated in a fresh process: JSON on stdout
        result = run_stage(args.child_stage, args.n, args.seed, args.base, args.batch_size, not args.no_trace,
                           args.repeat)
        print(json.dumps(result, default=str))
        return 0
    results = [
        run_isolated(stage, args.n, args.seed, args.base, args.batch_size, not args.no_trace, args.repeat)
        for stage in args.stages
    ]
    print(describe(results, args))
    print()
    print(format_table(results))
    if args.json:
        args.json.write_text(json.dumps({"args": {k: (str(v) if isinstance(v, Path) else v)
                                                  for k, v in vars(args).items()},
                                         "results": results}, indent=2, default=str), encoding="utf-8")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
