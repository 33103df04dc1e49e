"""End to end through /predict: held-out non-digits are flagged, public test digits are not.

The committed model carries a rule (model_core/rejection.py) learnt by outlier exposure on
font glyphs, random shapes, scribbles and noise; the non-digits here are made by other
generators (tests/nondigits.py), so the figures say how it does on pictures it never saw.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from app.config import Settings
from app.main import create_app
from model_core.data.mnist import load_mnist
from model_core.nn.serialization import load_model
from model_core.rejection import rule_from_metadata
from tests.app.test_accuracy import COMMITTED_MODEL
from tests.nondigits import KINDS, render_barcode, render_nondigit, render_trousers
from tests.samples import png_bytes
from tests.upload_styles import encode

PER_KIND = 100
DIGITS = 1000
# Issue 28 asks for 95% of the non-digits flagged. The committed model and rule flag 98.2%:
# letters 100, symbols 98, photos 96, doodles 99, scribbles 98 (of 100 each); the bars guard that.
MIN_FLAGGED = 0.93  # of all held-out non-digits
MIN_FLAGGED_BY_KIND = 0.8  # of each kind
MAX_DIGITS_FLAGGED = 0.01  # the bar; the committed model flagged 5 of 1,000
# Digits with no grey edges (soften.py): 47 of 300 held-out ones were flagged before, 1 after.
HARD_DIGITS = 300
MAX_HARD_FLAGGED = 0.02
BARCODES = 60
TROUSERS = 40  # light on black, 28x28: of 40 on another seed, 2 flagged before run A2, 40 after
FLAGGED: dict[str, float] = {}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    if not COMMITTED_MODEL.is_file():
        pytest.skip(f"the committed model {COMMITTED_MODEL.name} is not in the repository yet")
    if rule_from_metadata(load_model(COMMITTED_MODEL).metadata) is None:
        pytest.skip("the committed model has no rule for non-digits")
    with TestClient(create_app(Settings(model_path=COMMITTED_MODEL, log_level="WARNING"))) as c:
        yield c


def _flagged(client: TestClient, data: bytes) -> bool:
    """True when /predict calls the upload not a digit (a refusal such as no_digit counts)."""
    response = client.post("/predict", files={"file": ("upload", data)})
    assert response.status_code < 500, response.text
    return response.status_code != 200 or not response.json()["is_digit"]


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_non_digit_is_mostly_flagged(kind: str, client: TestClient) -> None:
    rng = np.random.default_rng([28, KINDS.index(kind)])
    flagged = sum(_flagged(client, render_nondigit(kind, rng)) for _ in range(PER_KIND))
    FLAGGED[kind] = flagged / PER_KIND
    print(f"\n{kind}: {flagged}/{PER_KIND} flagged as not a digit")
    assert FLAGGED[kind] >= MIN_FLAGGED_BY_KIND, f"{kind}: only {flagged}/{PER_KIND} flagged"
    if len(FLAGGED) == len(KINDS):
        overall = sum(FLAGGED.values()) / len(KINDS)
        print(f"all kinds: {overall:.3f} flagged")
        assert overall >= MIN_FLAGGED


@pytest.mark.slow
def test_barcodes_are_flagged(client: TestClient) -> None:
    """Bars a few pixels apart merge into one dark piece with light gaps in it, which was
    read as a light 1 drawn in a dark panel (a plot) 14% of the time."""
    rng = np.random.default_rng(29)
    flagged = sum(_flagged(client, render_barcode(rng)) for _ in range(BARCODES))
    print(f"\nbarcodes: {flagged}/{BARCODES} flagged as not a digit")
    assert flagged >= BARCODES - 1


@pytest.mark.slow
def test_trousers_framed_as_fashion_mnist_are_flagged(client: TestClient) -> None:
    """Their black sides were cut off as a page's edge bands, so that the trousers became the
    paper and the gap between the legs a 1 read at 0.95 or more (run A2 of session 59)."""
    rng = np.random.default_rng(30)
    flagged = sum(_flagged(client, render_trousers(rng)) for _ in range(TROUSERS))
    print(f"\ntrousers: {flagged}/{TROUSERS} flagged as not a digit")
    assert flagged >= TROUSERS - 1


@pytest.mark.slow
def test_public_test_digits_are_rarely_flagged(client: TestClient, mnist_dir: Path) -> None:
    images, _ = load_mnist(mnist_dir, "test")
    chosen = np.random.default_rng(28).choice(len(images), DIGITS, replace=False)
    flagged = sum(_flagged(client, png_bytes(images[i])) for i in chosen)
    print(f"\n{flagged}/{DIGITS} public test digits flagged as not a digit")
    assert flagged / DIGITS <= MAX_DIGITS_FLAGGED


@pytest.mark.slow
def test_public_test_digits_drawn_without_anti_aliasing_are_read_as_digits(
    client: TestClient, mnist_dir: Path
) -> None:
    """Each digit cut to two levels at its own threshold, half of them dark on light: a 28x28
    grid app's drawing, a binarised scan."""
    images, labels = load_mnist(mnist_dir, "test")
    rng = np.random.default_rng(50)
    flagged = right = 0
    for i in rng.choice(len(images), HARD_DIGITS, replace=False):
        hard = np.where(images[i] > rng.uniform(0.3, 0.7) * 255, 255, 0).astype(np.uint8)
        upload = png_bytes(255 - hard if rng.random() < 0.5 else hard)
        response = client.post("/predict", files={"file": ("upload", upload)})
        assert response.status_code == 200, response.text
        flagged += not response.json()["is_digit"]
        right += response.json()["digit"] == labels[i]
    print(f"\n{flagged}/{HARD_DIGITS} two-level test digits flagged, {right} read right")
    assert flagged / HARD_DIGITS <= MAX_HARD_FLAGGED
    assert right / HARD_DIGITS >= 0.98


@pytest.mark.parametrize("width", [6, 12, 18, 30])
def test_a_one_drawn_as_a_straight_vertical_line_is_read_surely(
    client: TestClient, width: int
) -> None:
    canvas = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(canvas).line([(140, 40), (140, 240)], fill=0, width=width)
    response = client.post("/predict", files={"file": ("one.png", encode(canvas, "PNG"))})
    answer = response.json()
    assert (answer["digit"], answer["is_digit"]) == (1, True)
    assert answer["confidence"] >= 0.8, answer["confidence"]
