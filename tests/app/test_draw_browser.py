"""The pages in a real browser: draw a digit on /draw, read the API docs on /docs, offline.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright against uvicorn serving the
tiny model on 127.0.0.1. Skipped when Playwright or Chromium is not installed; Playwright's own
browser download is never used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import numpy as np
import pytest

from tests.samples import png_bytes

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install playwright)"
)
if not CHROMIUM.is_file():
    pytest.skip(
        f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server: str) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.requested = []  # every URL the page asked for
    page.errors = []  # uncaught JavaScript errors
    page.on("request", lambda request: page.requested.append(request.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def draw_stroke(page, points: list[tuple[float, float]]) -> None:
    """Press, move through `points` (fractions of the canvas), release: as a mouse would."""
    box = page.locator("#pad").bounding_box()
    at = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=4)
    page.mouse.up()


def test_drawing_a_digit_shows_the_prediction_and_ten_bars(page, live_server: str) -> None:
    page.goto(f"{live_server}/draw")
    assert page.locator("#result").get_attribute("data-state") == "idle"
    seven = [(0.25, 0.2), (0.75, 0.2), (0.55, 0.5), (0.45, 0.85)]
    with page.expect_response(lambda r: r.url.endswith("/predict/base64")) as answer:
        draw_stroke(page, seven)
    response = answer.value
    assert response.status == 200
    served = response.json()
    page.wait_for_function("document.querySelector('#result').dataset.state === 'result'")
    page.wait_for_function(
        "(d) => document.querySelector('#digit').textContent === String(d)", arg=served["digit"]
    )
    bars = page.locator("#bars li")
    assert bars.count() == 10
    values = bars.locator(".value").all_inner_texts()
    shown = [float(re.fullmatch(r"([\d.]+) %", value).group(1)) for value in values]
    assert sum(shown) == pytest.approx(100, abs=0.6)
    assert shown == pytest.approx([p * 100 for p in served["probabilities"]], abs=0.051)
    assert page.locator("#bars li.top .label").inner_text() == str(served["digit"])
    assert "% confident" in page.locator("#confidence").inner_text()
    assert page.errors == []
    assert all(url.startswith(live_server) for url in page.requested), page.requested


def test_a_blank_upload_shows_no_digit_and_clear_resets(page, live_server: str) -> None:
    page.goto(f"{live_server}/draw")
    blank = png_bytes(np.full((40, 40), 255, dtype=np.uint8))
    with page.expect_response(lambda r: r.url.endswith("/predict")) as answer:
        page.set_input_files("#file", files=[{"name": "blank.png", "mimeType": "image/png",
                                              "buffer": blank}])  # fmt: skip
    assert answer.value.status == 422
    page.wait_for_function("document.querySelector('#result').dataset.state === 'empty'")
    assert page.locator("#confidence").inner_text() == "No digit"
    page.click("#clear")
    assert page.locator("#result").get_attribute("data-state") == "idle"
    assert page.locator("#digit").inner_text() == "?"
    assert page.errors == []


def test_docs_render_offline_with_every_endpoint(page, live_server: str) -> None:
    with urlopen(f"{live_server}/openapi.json", timeout=10) as reply:
        paths = set(json.load(reply)["paths"])
    page.goto(f"{live_server}/docs")
    page.wait_for_selector(".opblock-summary-path")
    listed = {text.strip() for text in page.locator(".opblock-summary-path").all_inner_texts()}
    assert paths <= listed, paths - listed
    assert {"/predict", "/predict/base64", "/predict/batch", "/model/info"} <= listed
    assert page.locator(".errors-wrapper").count() == 0  # Swagger UI shows no schema error
    assert all(url.startswith(live_server) for url in page.requested), page.requested
    assert page.errors == []
