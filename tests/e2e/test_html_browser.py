"""The HTML report in a real browser: it renders offline with no console errors, and hostile names stay text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from scanner.reporters.html import render_html
from tests.e2e.chromium import dump_dom, screenshot
from tests.e2e.conftest import scan_paths

HOSTILE_REPO = 'llm-app"\'><script>document.title="pwned"</script><img src=x onerror=alert(1)>'
HOSTILE_FILE = "prompts/<script>alert('f')</script>\"q\".md"


def _hostile(evidence: dict[str, Any]) -> dict[str, Any]:
    """The evidence of llm-app, renamed so that its repo and a cited file carry markup and quotes."""
    text = json.dumps(evidence).replace("llm-app", json.dumps(HOSTILE_REPO)[1:-1])
    doc: dict[str, Any] = json.loads(text)
    cited = {
        fid
        for area in doc["assessments"][0]["areas"].values()
        for dim in area["dimensions"].values()
        for crit in dim["criteria"]
        for fid in crit["findings"]
    }
    finding = next(f for f in doc["findings"] if f["id"] in cited and f["outcome"] == "true" and f["locations"])
    finding["locations"][0].update(path=HOSTILE_FILE, url="javascript:alert(1)")
    return doc


@pytest.fixture(scope="module")
def hostile_page(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("html") / "report.html"
    page.write_text(render_html(_hostile(scan_paths([str(estate / "llm-app")]))), encoding="utf-8")
    return page


def test_the_page_is_self_contained(hostile_page: Path) -> None:
    html = hostile_page.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "no external resource"
    assert "<link" not in html and "@import" not in html and "url(http" not in html
    assert "javascript:" not in html  # only http(s) links are rendered as links


def test_hostile_names_render_as_text_in_chromium(hostile_page: Path) -> None:
    dom, console = dump_dom(hostile_page)
    assert console == [], console
    assert dom.count("<script") == 1  # ours (print support); the repo's markup is text
    assert "<img" not in dom and "pwned" not in re.search(r"<title>(.*?)</title>", dom, re.S).group(1)[:20]
    assert '&lt;script&gt;document.title="pwned"&lt;/script&gt;' in dom  # shown as text
    assert "prompts/&lt;script&gt;alert('f')&lt;/script&gt;\"q\".md" in dom


def test_screenshot_without_console_errors(hostile_page: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    assert screenshot(hostile_page, png) == []
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_console_errors_are_detected(tmp_path: Path) -> None:
    """The check above can fail: a page that throws is caught."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><p>x</p><script>throw new Error("boom")</script>')
    assert any("boom" in line for line in screenshot(page, tmp_path / "broken.png", "400,300"))
