"""The report renders in headless Chromium: a real screenshot, and the DOM has the figures."""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import pytest

from bot.db import make_engine
from bot.report import build_report
from tests.bot.report.seed import END, START, seed
from tests.fixtures.chromium import Chromium

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
FIGURES = ("weekly", "province", "needs", "funnel", "accept", "helped", "scope", "gaps")


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    engine = make_engine(f"sqlite:///{folder / 'desk.db'}")
    seed(engine)
    html = build_report(engine, start=START, end=END, now=NOW)
    engine.dispose()
    page = folder / "report.html"
    page.write_text(html, encoding="utf-8")
    return page


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_screenshot_is_a_real_picture(chromium: Chromium, report_file: Path,
                                      tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    done = chromium.screenshot(report_file, png)
    assert done.returncode == 0, done.stderr[-2000:]
    data = png.read_bytes()
    assert _png_size(data) == (1280, 2400)
    # A blank page compresses to a few kilobytes; charts and text make it far larger.
    assert len(data) > 60_000, len(data)


def test_rendered_dom_has_every_figure_and_no_errors(chromium: Chromium,
                                                     report_file: Path) -> None:
    done = chromium.dump_dom(report_file)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    for name in FIGURES:
        assert f'id="fig-{name}"' in dom, name
    assert dom.count("<rect") > 40
    assert _console_errors(done.stderr) == []


def _console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


def test_the_console_check_does_catch_a_script_error(chromium: Chromium, tmp_path: Path) -> None:
    """The control for the test above: a page with a broken script is caught."""
    page = tmp_path / "broken.html"
    page.write_text("<html><body><p>x</p><script>notDefined()</script></body></html>",
                    encoding="utf-8")
    done = chromium.dump_dom(page)
    assert any("notDefined" in line for line in _console_errors(done.stderr))
