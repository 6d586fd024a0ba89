"""The HTML report in a real browser (headless Chromium, Debian package ``chromium``).

Renders the report for constructed tagged records (one comment carries a ``<script>`` that
would change ``document.title`` and add ``<p id="hacked">`` if it ever ran), loads it from
disk in headless Chromium with networking off, and asserts on the DOM after scripts had
time to run, then takes a screenshot.
"""

from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

from fritekst.cli import main
from report_samples import sample_records, write_tagged

CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)",
)

TITLE = "Korona og rus – temaer i fritekstsvarene – Kartlegging uke 28 2020"


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with networking and background services off."""
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--virtual-time-budget=3000",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    tagged = write_tagged(tmp / "tagged.jsonl", sample_records())
    out = tmp / "rapport.html"
    result = CliRunner().invoke(main, ["report", str(tagged), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def dom(report_file: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    proc = chromium(tmp_path_factory.mktemp("dom"), "--dump-dom", report_file.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "<html" in proc.stdout
    return proc.stdout


def test_tables_and_charts_are_rendered(dom: str) -> None:
    assert dom.count('<table class="weekly">') == 3
    assert '<table class="substances">' in dom and '<table class="regions">' in dom
    assert dom.count('<svg class="chart"') == 3
    assert "<mark>" in dom
    assert "Hovedfunn fra kartleggingen i uke 28" in dom


def test_script_from_comment_text_did_not_run(dom: str) -> None:
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title is not None
    assert unescape(title.group(1)) == TITLE
    assert "HACKED" not in unescape(title.group(1))
    assert '<p id="hacked">' not in dom  # the element the script would have added
    # the comment is still there, as text
    assert "&lt;script&gt;document.title=" in dom


def test_no_external_requests(report_file: Path) -> None:
    html = report_file.read_text(encoding="utf-8")
    urls = re.findall(r"""(?:src|href|xlink:href)\s*=\s*["']([^"']*)["']""", html, re.I)
    assert not [u for u in urls if re.match(r"\s*(https?:)?//", u, re.I)]
    assert not re.search(r"@import|url\(", html)
    assert "<script" not in html and "<link" not in html


def test_screenshot(report_file: Path, tmp_path: Path) -> None:
    shot = tmp_path / "rapport.png"
    proc = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,2400", "--hide-scrollbars", report_file.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a blank page compresses to a few kB

