"""The pages in a real browser: draw a digit on /draw, read the API docs on /docs, offline.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright against uvicorn serving the
tiny model on 127.0.0.1. Skipped when Playwright or Chromium is not installed; Playwright's own
browser download is never used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import pairwise
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


# The page has its answer: no request in flight, and it shows something other than the prompt
SETTLED = """() => !document.querySelector('#result').hasAttribute('aria-busy')
    && document.querySelector('#result').dataset.state !== 'idle'"""


def draw_stroke(page, points: list[tuple[float, float]]) -> None:
    """Press, move through `points` (fractions of the canvas), release: as a mouse would."""
    box = page.locator("#pad").bounding_box()
    at = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=4)
    page.mouse.up()


def requests_to(page, path: str) -> list:
    """The page's requests to `path` from now on, in the order it sends them."""
    sent: list = []
    page.on("request", lambda request: sent.append(request) if request.url.endswith(path) else None)
    return sent


def test_drawing_a_digit_shows_the_prediction_and_ten_bars(page, live_server: str) -> None:
    page.goto(f"{live_server}/draw")
    assert page.locator("#result").get_attribute("data-state") == "idle"
    seven = [(0.25, 0.2), (0.75, 0.2), (0.55, 0.5), (0.45, 0.85)]
    sent = requests_to(page, "/predict/base64")
    draw_stroke(page, seven)  # a slow stroke may be read before it ends, then again at its end
    page.wait_for_function(SETTLED)
    assert page.locator("#result").get_attribute("data-state") == "result"
    response = sent[-1].response()  # the page shows the answer to the last request it sent
    assert response.status == 200
    served = response.json()
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
    assert served["is_digit"] is True  # the tiny model has no rule: every image is a digit
    assert page.locator("#not-digit").is_hidden()
    assert page.errors == []
    assert all(url.startswith(live_server) for url in page.requested), page.requested


def test_a_reading_that_is_not_a_digit_is_marked(page, live_server: str) -> None:
    """Against a stubbed /predict/base64: is_digit false shows the mark, true hides it again.
    Each request of a stroke gets its answer: a slow machine may send one mid-stroke too."""
    reply: dict = {"status": 200}
    page.route("**/predict/base64", lambda route: route.fulfill(**reply))
    sent = requests_to(page, "/predict/base64")
    page.goto(f"{live_server}/draw")
    assert page.locator("#not-digit").is_hidden()
    for is_digit in (False, True):
        reply["json"] = {"digit": 4, "confidence": 0.41, "probabilities": [0.41] + [0.59 / 9] * 9,
                         "is_digit": is_digit, "preprocessing": {"format": "PNG", "width": 280,
                         "height": 280, "mode": "RGBA", "inverted": True, "had_alpha": True,
                         "bbox": [0, 0, 280, 280]}, "timing_ms": {"total": 1.0}}  # fmt: skip
        draw_stroke(page, [(0.3, 0.3), (0.7, 0.7)])
        page.wait_for_function(SETTLED)
        assert page.locator("#digit").inner_text() == "4"
        assert page.locator("#not-digit").is_visible() is not is_digit
        marked = page.locator("#result").get_attribute("data-not-digit")
        assert (marked is not None) is not is_digit
    page.click("#clear")
    assert page.locator("#not-digit").is_hidden() and len(sent) >= 2 and page.errors == []


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


# ------------------------------------------------------------------------------- number mode

# Alpha of the overlay's pixel over the canvas pixel (x, y), and whether the drawing (the PNG
# sent) holds any of the boxes' blue: boxes go on the overlay, never into the drawing.
OVERLAY_ALPHA = """([x, y]) => {
  const pad = document.querySelector('#pad'), overlay = document.querySelector('#overlay');
  const scale = (pad.clientWidth / pad.width) * (overlay.width / overlay.clientWidth);
  const at = [Math.floor(x * scale), Math.floor(y * scale)];
  return overlay.getContext('2d').getImageData(at[0], at[1], 1, 1).data[3];
}"""
OVERLAY_RGB = OVERLAY_ALPHA.replace("return overlay", "return Array.from(overlay").replace(
    ".data[3];", ".data.slice(0, 3));"
)  # its colour, [r, g, b]
DRAWING_HAS_BLUE = """() => {
  const pad = document.querySelector('#pad');
  const rgba = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data;
  for (let i = 0; i < rgba.length; i += 4) if (rgba[i + 2] > rgba[i] + 60) return true;
  return false;
}"""


def pad_size(page) -> tuple[int, int]:
    return tuple(page.evaluate("[document.querySelector('#pad').width, "
                               "document.querySelector('#pad').height]"))  # fmt: skip


def assert_boxes_drawn(page, boxes: list[list[float]]) -> None:
    """Each box's left and right edges are drawn at mid-height, its middle and the gaps are not."""
    for left, top, right, bottom in boxes:
        middle = (top + bottom) / 2
        assert page.evaluate(OVERLAY_ALPHA, [left, middle]) > 0, (left, top, right, bottom)
        assert page.evaluate(OVERLAY_ALPHA, [right, middle]) > 0, (left, top, right, bottom)
        assert page.evaluate(OVERLAY_ALPHA, [(left + right) / 2, middle]) == 0
    for before, after in pairwise(boxes):
        gap = ((before[2] + after[0]) / 2, (before[1] + before[3]) / 2)
        assert page.evaluate(OVERLAY_ALPHA, list(gap)) == 0
    assert not page.evaluate(DRAWING_HAS_BLUE)


def test_number_mode_reads_two_strokes_and_draws_two_boxes(page, live_server: str) -> None:
    page.goto(f"{live_server}/draw")
    page.click("#mode-number")
    assert page.locator("#mode-number").get_attribute("aria-pressed") == "true"
    assert page.locator("#mode-digit").get_attribute("aria-pressed") == "false"
    shape = page.locator("#pad").bounding_box()
    assert shape["width"] / shape["height"] == pytest.approx(3.5, rel=0.02)
    assert shape["width"] == pytest.approx(700, abs=1)
    width, height = pad_size(page)
    assert width / height == pytest.approx(3.5, rel=0.03)
    sent = requests_to(page, "/predict/number")
    draw_stroke(page, [(0.25, 0.15), (0.25, 0.85)])
    draw_stroke(page, [(0.75, 0.15), (0.75, 0.85)])  # two vertical lines, far apart
    page.wait_for_function(SETTLED)
    response = sent[-1].response()  # the answer the page shows
    assert response.status == 200, response.text()
    assert response.request.headers["content-type"].startswith("multipart/form-data")
    served = response.json()  # (Playwright does not show a multipart body built from a Blob)
    assert len(served["number"]) == 2 and len(served["digits"]) == 2
    info = served["preprocessing"]  # the field `file` held the canvas, as a PNG
    assert (info["format"], info["width"], info["height"]) == ("PNG", width, height)
    assert page.locator("#result").get_attribute("data-state") == "result"
    assert page.locator("#digit").inner_text() == served["number"]
    assert "% confident" in page.locator("#confidence").inner_text()
    assert page.locator("#digits li").count() == 2
    assert page.locator("#digits li b").all_inner_texts() == list(served["number"])
    boxes = [d["box"] for d in served["digits"]]
    assert boxes[0][2] < width / 2 < boxes[1][0]  # one box around each line
    assert_boxes_drawn(page, boxes)
    assert all(not url.endswith("/predict/base64") for url in page.requested)
    assert page.errors == []
    assert all(url.startswith(live_server) for url in page.requested), page.requested


def test_number_mode_scales_boxes_shows_errors_and_digit_mode_returns(
    page, live_server: str
) -> None:
    """Against a stubbed /predict/number: boxes land where the answer puts them, a 422 shows in
    the error style and clears them, and Digit mode gives back the square canvas and /predict."""
    reply: dict = {}  # status and body for every request of the next stroke (one may go mid-way)
    page.route("**/predict/number", lambda route: route.fulfill(**reply))
    page.goto(f"{live_server}/draw#number")  # the hash opens number mode
    assert page.locator("body").get_attribute("data-mode") == "number"
    width, height = pad_size(page)
    boxes = [[0.1 * width, 0.2 * height, 0.3 * width, 0.8 * height],
             [0.5 * width, 0.3 * height, 0.6 * width, 0.7 * height],
             [0.8 * width, 0.1 * height, 0.9 * width, 0.9 * height]]  # fmt: skip
    digits = [{"digit": d, "confidence": c, "probabilities": [0.1] * 10, "is_digit": ok, "box": box}
              for d, c, ok, box in zip([0, 4, 2], [0.99, 0.8, 0.95], [True, False, True], boxes,
                                       strict=True)]  # fmt: skip
    info = {"format": "PNG", "width": width, "height": height, "mode": "RGBA",
            "inverted": True, "had_alpha": True, "bbox": [0, 0, width, height]}  # fmt: skip
    answer = {"number": "042", "confidence": 0.75, "digits": digits, "preprocessing": info,
              "timing_ms": {"decode_preprocess": 1.0, "inference": 1.0, "total": 2.5}}  # fmt: skip
    reply.update(status=200, json=answer)
    draw_stroke(page, [(0.2, 0.3), (0.2, 0.7)])
    page.wait_for_function(SETTLED)
    assert page.locator("#digit").inner_text() == "042"
    assert page.locator("#confidence").inner_text() == "75.0 % confident"
    assert page.locator("#digits li").count() == 3
    assert page.locator("#digits li").nth(1).get_attribute("aria-label") == (
        "digit 2: 4, 80.0 % confident, not a digit?"
    )
    classes = [page.locator("#digits li").nth(i).get_attribute("class") or "" for i in range(3)]
    assert ["flagged" in names for names in classes] == [False, True, False]
    assert page.locator("#not-digit").inner_text() == "not a digit? (digit 2)"
    assert_boxes_drawn(page, boxes)
    for box, flagged in zip(boxes, [False, True, False], strict=True):  # its own colour
        red, _, blue = page.evaluate(OVERLAY_RGB, [box[0], (box[1] + box[3]) / 2])
        assert (red > blue) is flagged, (box, red, blue)
    page.set_viewport_size({"width": 500, "height": 800})  # a narrower canvas: boxes follow
    page.wait_for_function("document.querySelector('#pad').clientWidth < 500")
    page.wait_for_timeout(100)  # the ResizeObserver's redraw
    assert_boxes_drawn(page, boxes)

    too_many = {"detail": "25 digits found; a number has at most 20", "code": "too_many_digits"}
    reply.update(status=422, json=too_many)
    draw_stroke(page, [(0.5, 0.3), (0.5, 0.7)])
    page.wait_for_function(SETTLED)
    assert page.locator("#result").get_attribute("data-state") == "error"
    assert page.locator("#status").inner_text() == too_many["detail"]
    assert page.locator("#digits li").count() == 0
    assert page.locator("#not-digit").is_hidden()
    assert page.evaluate(OVERLAY_ALPHA, [boxes[0][0], height / 2]) == 0  # boxes gone

    page.click("#mode-digit")
    assert page.locator("body").get_attribute("data-mode") == "digit"
    assert pad_size(page) == (280, 280)
    assert page.locator("#result").get_attribute("data-state") == "idle"
    with page.expect_response(lambda r: r.url.endswith("/predict/base64")) as digit_answer:
        draw_stroke(page, [(0.5, 0.2), (0.5, 0.8)])
    assert digit_answer.value.status == 200
    page.wait_for_function("document.querySelector('#result').dataset.state === 'result'")
    assert page.locator("#bars li").count() == 10
    assert page.errors == []
