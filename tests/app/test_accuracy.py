"""End to end on real MNIST test digits: uploads of every style read right through /predict.

Accuracy needs the committed model (`trained_cnn_model.npz` at the repository root) and is
skipped with a reason until it exists. The raw-upload check also runs on the tiny random model:
it shows the service adds nothing between an upload and the network.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.main import create_app
from model_core.classifier import DigitClassifier
from model_core.data.mnist import load_mnist
from model_core.preprocessing import preprocess_array
from tests.angles import angled_digit
from tests.dot_matrix import dot_upload
from tests.folds import folded_digit
from tests.marked_styles import COMB_STYLES, MARKED_STYLES, render_marked
from tests.plot_styles import PLOT_STYLES, render_plot
from tests.samples import eight_by_eight, png_bytes
from tests.scans import dusty_digit, streaked_digit
from tests.unusual_styles import UNUSUAL_STYLES, render_unusual
from tests.upload_styles import LIT_STYLES, PAPER_STYLES, POOL_STYLES, STYLES, encode, render

COMMITTED_MODEL = Path(__file__).resolve().parents[2] / "trained_cnn_model.npz"
PER_STYLE = 500  # at about 99.4%, the standard error is 0.35%: the 98% bar is no coin toss
MIN_ACCURACY = 0.98
# Graph paper is the hardest printed paper: faint pencil under a grid of nearly its level.
# Lined and graph measured 99.2% and 98.6% (docs/experiments.md, runs K and C); lined has the
# default bar.
MIN_ACCURACY_BY_STYLE = {"graph": 0.975}
# Digits unlike MNIST's (issue 28): low resolution, thin and thick pens, typed.
MIN_ACCURACY_BY_STYLE |= dict.fromkeys(UNUSUAL_STYLES, 0.95)
# Digits circled or boxed on the page: 300 of 300 blocked-split validation digits in each
# (26%, 26% and 88% before ring.py), so the default bar with a little room.
MIN_ACCURACY_BY_STYLE |= dict.fromkeys(MARKED_STYLES, 0.97)
# A sheet on a desk under a lamp to one side: 100 of 100 held-out writers' dark digits in each
# of four seeds (run D in docs/experiments.md), so the default bar.
# A plot of the digit (matplotlib's imshow): 296 of 300 held-out writers' digits (140 before
# a dark panel was read inside: run K of session 48), but 96.2 to 96.6% here, plots drawn dark
# on white with a title missing most, until their axes' frame was cut like a form's box (run F
# of session 64: 98.4% here, 594 of 600 held-out): the default bar, set after that read.
# Under a pool of light (a spotlight, a close flash): 299 of 300 held-out writers' digits with
# a model that never saw them, 211 before run P' of session 55; the default bar.
ALL_STYLES = STYLES + PAPER_STYLES + UNUSUAL_STYLES + MARKED_STYLES + LIT_STYLES + PLOT_STYLES
# Over a form's printed comb: 299 of 300 held-out writers' digits (250 before run U of session
# 56); the default bar.
ALL_STYLES += POOL_STYLES + COMB_STYLES  # last: the other styles keep their samples
DOT_DIGITS = 200  # digits in a 5x7 dot-matrix font (tests/dot_matrix.py), each label alike
MIN_DOT_DIGITS = 0.85  # held-out seeds: 190 of 200 (178 before run D3 of session 57, 136 before
# run D)
RAW_CHECKS = 20
NOISY = 300  # uploads of each kind in HARD_UPLOADS
ACCURACIES: dict[str, float] = {}


@pytest.fixture(scope="module")
def committed_model() -> Path:
    if not COMMITTED_MODEL.is_file():
        pytest.skip(f"the committed model {COMMITTED_MODEL.name} is not in the repository yet")
    return COMMITTED_MODEL


@pytest.fixture(scope="module")
def mnist_sample(mnist_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """PER_STYLE test digits (uint8 (N, 28, 28)) and labels, the same ones every run."""
    images, labels = load_mnist(mnist_dir, "test")
    chosen = np.random.default_rng(2024).choice(len(images), size=PER_STYLE, replace=False)
    return images[chosen], labels[chosen]


@pytest.fixture(scope="module")
def committed_client(committed_model: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(model_path=committed_model, log_level="WARNING"))) as c:
        yield c


@pytest.mark.slow
@pytest.mark.parametrize("style", ALL_STYLES)
def test_each_upload_style_reads_at_least_its_bar(
    style: str, committed_client: TestClient, mnist_sample: tuple[np.ndarray, np.ndarray]
) -> None:
    images, labels = mnist_sample
    rng = np.random.default_rng(ALL_STYLES.index(style))
    correct, refused = 0, 0
    for image, label in zip(images, labels, strict=True):
        if style in UNUSUAL_STYLES:
            upload = render_unusual(style, image, int(label), rng)
        elif style in MARKED_STYLES + COMB_STYLES:
            upload = render_marked(style, image, rng)
        elif style in PLOT_STYLES:
            upload = render_plot(image, rng, title=f"label {label}")
        else:
            upload = render(style, image, rng)
        response = committed_client.post("/predict", files={"file": ("upload", upload)})
        assert response.status_code < 500, response.text
        if response.status_code != 200:
            refused += 1  # e.g. no digit found: counted as a miss
            continue
        correct += response.json()["digit"] == int(label)
    accuracy = correct / len(labels)
    ACCURACIES[style] = accuracy
    print(f"\n{style}: accuracy {accuracy:.3f} on {len(labels)} digits ({refused} refused)")
    print("per style so far: " + ", ".join(f"{s} {a:.3f}" for s, a in ACCURACIES.items()))
    bar = MIN_ACCURACY_BY_STYLE.get(style, MIN_ACCURACY)
    assert accuracy >= bar, f"{style}: {accuracy:.3f} < {bar} ({refused} refused)"


def _read_and_flagged(
    client: TestClient, uploads: Iterator[bytes], labels: np.ndarray
) -> tuple[int, int]:
    """How many uploads /predict reads as their labels, and how many it flags as no digit
    or refuses."""
    right = flagged = 0
    for upload, label in zip(uploads, labels, strict=True):
        response = client.post("/predict", files={"file": ("upload.png", upload)})
        assert response.status_code < 500, response.text
        answer = response.json() if response.status_code == 200 else {"digit": None}
        right += answer["digit"] == int(label)
        flagged += not answer.get("is_digit", False)  # a refusal (no digit found) counts too
    return right, flagged


def _noisy(image: np.ndarray, index: int, rng: np.random.Generator) -> bytes:
    """The digit with Gaussian noise of a fifth of the range (odd `index`), or with 3% of its
    pixels salted and 3% peppered."""
    noisy = image.astype(np.float32)  # (28, 28)
    if index % 2:
        noisy = noisy + rng.normal(0.0, 0.2 * 255, noisy.shape)
    else:
        draw = rng.random(noisy.shape)
        noisy[draw < 0.03], noisy[draw > 0.97] = 255.0, 0.0
    return png_bytes(np.clip(noisy, 0, 255).astype(np.uint8))


def _small_photo(image: np.ndarray, index: int, rng: np.random.Generator) -> bytes:
    """The digit dark on paper lit unevenly (170 to 230), shrunk to 20, 24 or 28 px."""
    side = (20, 24, 28)[index % 3]
    small = Image.fromarray(image).resize((side, side), Image.Resampling.BILINEAR)
    ink = np.asarray(small, np.float32) / 255  # (side, side)
    ys, xs = np.mgrid[0:side, 0:side] / side  # (2, side, side)
    angle = rng.uniform(0, 2 * np.pi)
    paper = 170 + 60 * (np.cos(angle) * xs + np.sin(angle) * ys) + rng.normal(0, 3, ink.shape)
    return png_bytes(np.clip(paper * (1 - 0.75 * ink), 0, 255).astype(np.uint8))


def _at_an_angle(image: np.ndarray, index: int, rng: np.random.Generator) -> bytes:
    """The `desk` style photographed at an angle: the far side narrower by 10, 20 or 30% of
    the picture's width, the desk's own grain round the warped picture (JPEG)."""
    desk = Image.open(io.BytesIO(render("desk", image, rng))).convert("L")
    width, height = desk.size
    pull = (0.1, 0.2, 0.3)[index % 3] * width / 2
    quad = (-pull, 0, 0, height, width, height, width + pull, 0)  # top left, clockwise
    warped = np.asarray(desk.transform(desk.size, Image.Transform.QUAD, quad), np.float32)
    seen = Image.new("L", desk.size, 255).transform(desk.size, Image.Transform.QUAD, quad)
    grain = rng.choice(np.asarray(desk, np.float32)[:6].ravel(), size=(height, width))
    weight = np.asarray(seen, np.float32) / 255  # (H, W) 1 on the warped picture
    photo = np.clip(warped * weight + grain * (1 - weight), 0, 255).astype(np.uint8)
    return encode(Image.fromarray(photo), "JPEG", quality=85)


def _cut_through_the_sheet(image: np.ndarray, index: int, rng: np.random.Generator) -> bytes:
    """The `desk` style cropped by 15 to 22% on one side (in turn): the sheet runs off the
    photo there, the digit stays whole (JPEG)."""
    desk = Image.open(io.BytesIO(render("desk", image, rng)))
    box = [0, 0, desk.width, desk.height]
    side = index % 4
    cut = round(rng.uniform(0.15, 0.22) * desk.width)  # the picture is square
    box[side] = cut if side < 2 else box[side] - cut
    return encode(desk.crop(tuple(box)), "JPEG", quality=85)


def _scanned_with_streaks(image: np.ndarray, index: int, rng: np.random.Generator) -> bytes:
    """The digit scanned with a streak or two from edge to edge (tests/scans.py, PNG)."""
    return streaked_digit(image, rng)


def _scanned_with_dust(image: np.ndarray, index: int, rng: np.random.Generator) -> bytes:
    """The digit scanned with 5 to 40 specks of dust round it (tests/scans.py, PNG)."""
    return dusty_digit(image, rng)


def _folded(image: np.ndarray, index: int, rng: np.random.Generator) -> bytes:
    """The digit on a sheet with one to three creases, photographed (tests/folds.py, JPEG)."""
    return folded_digit(image, rng)


def _eight_by_eight(image: np.ndarray, index: int, rng: np.random.Generator) -> bytes:
    """The digit as scikit-learn's 8x8 digits data set stores its own (PNG)."""
    return png_bytes(eight_by_eight(image))


Render = Callable[[np.ndarray, int, np.random.Generator], bytes]
# Uploads each made from the first NOISY test digits: how, the seed, the least share read right
# and the most flagged or refused. Each failed before the change its comment names.
HARD_UPLOADS: dict[str, tuple[Render, int, float, float]] = {
    # 3% of the pixels salted and 3% peppered, or Gaussian noise of a fifth of the range:
    # before impulses.py, held-out ones flagged 9% and 38% of the time, misread 0.3% and 12%
    "noisy raw digits": (_noisy, 51, 0.97, 0.05),
    # dark on paper lit unevenly, shrunk to 20 to 28 px: with one flat paper level
    # (background.py), held-out ones read wrong about one time in two
    "small photos": (_small_photo, 52, 0.97, 0.03),
    # a sheet photographed at an angle, a quadrilateral: held-out ones read right 55, 9 and 10
    # of 60 at 10, 20 and 30% while a rectangle was looked for (sheet.py)
    "desk photos at an angle": (_at_an_angle, 53, 0.95, 0.05),
    # a sheet running off the photo, a rectangle the frame cuts: held-out ones read right 233
    # of 300 while a whole rectangle was looked for, 288 after (sheet.py)
    "sheets off one side": (_cut_through_the_sheet, 54, 0.88, 0.1),
    # strokes a pixel wide, which the impulse filter took for specks: held-out ones 86% read
    # right, 17% flagged, before it left pictures under 12 px alone (impulses.py); these 18
    # flagged, 19 once dark edges were no bands (run A2, session 59: held-out ones alike)
    "8x8 digits": (_eight_by_eight, 0, 0.95, 0.07),
    # a scanner's streaks down or across the page: held-out ones read right 254 of 300, 42
    # flagged, before they were painted over (streaks.py), 300 and 3 after
    "scans with streaks": (_scanned_with_streaks, 55, 0.96, 0.03),
    # specks of dust round the digit: held-out ones read right 284 of 300, 15 flagged, while
    # specks stretched the digit's box (digit_box.py), 300 and 2 after
    "scans with dust": (_scanned_with_dust, 56, 0.96, 0.03),
    # creases of a folded sheet: held-out ones read right 291 of 300, 7 flagged, while a crease
    # joined the digit's box (creases.py), 300 and 2 after
    "folded sheets": (_folded, 57, 0.97, 0.02),
    # a sheet at an angle or turned, the desk in wedges: held-out 101 of 120 read right, 20
    # flagged, with wedges only along a whole side or 0.3 of one (wedges.py), 120 and 0 after
    "sheets at an angle": (lambda image, _, rng: angled_digit(image, rng), 58, 0.96, 0.03),
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", HARD_UPLOADS)
def test_hard_uploads_are_read(
    kind: str, committed_client: TestClient, mnist_sample: tuple[np.ndarray, np.ndarray]
) -> None:
    make, seed, least_right, most_flagged = HARD_UPLOADS[kind]
    images, labels = mnist_sample
    rng = np.random.default_rng(seed)
    uploads = (make(image, index, rng) for index, image in enumerate(images[:NOISY]))
    right, flagged = _read_and_flagged(committed_client, uploads, labels[:NOISY])
    print(f"\n{kind}: {right}/{NOISY} read right, {flagged} flagged or refused")
    assert right / NOISY >= least_right and flagged / NOISY <= most_flagged


@pytest.mark.slow
def test_dot_matrix_digits_are_read(committed_client: TestClient) -> None:
    """An LED board's, a receipt's or a clock's digit: its dots joined into strokes (dots.py,
    run D of session 57); the network, which never saw such blocky glyphs, reads most."""
    rng = np.random.default_rng(57)
    right = 0
    for index in range(DOT_DIGITS):
        digit = index % 10
        upload = dot_upload([digit], rng)
        response = committed_client.post("/predict", files={"file": ("dots", upload)})
        assert response.status_code < 500, response.text
        right += response.status_code == 200 and response.json()["digit"] == digit
    print(f"\ndot-matrix digits: {right}/{DOT_DIGITS} read right")
    assert right >= MIN_DOT_DIGITS * DOT_DIGITS, f"{right}/{DOT_DIGITS}"


@pytest.fixture(params=["tiny", "committed"])
def model_path(request: pytest.FixtureRequest) -> Path:
    name = "tiny_model_path" if request.param == "tiny" else "committed_model"
    return request.getfixturevalue(name)


def test_a_raw_mnist_upload_reads_like_the_array(
    model_path: Path, mnist_sample: tuple[np.ndarray, np.ndarray]
) -> None:
    """A 28x28 MNIST PNG gets the network's answer on the array itself, within 1e-5.

    Preprocessing keeps an MNIST-like input's pixels, but stretches its contrast to the full
    range: that is the identity for digits whose brightest pixel is 255 (almost all of MNIST),
    so those are compared with the raw array / 255; every digit is compared with the network
    on the array's own preprocessing.
    """
    classifier = DigitClassifier.load(model_path)
    images, _ = mnist_sample
    full_range = [image for image in images if image.max() == 255][:RAW_CHECKS]
    dimmer = [image for image in images if image.max() < 255][:3]
    assert len(full_range) == RAW_CHECKS and dimmer
    with TestClient(create_app(Settings(model_path=model_path, log_level="WARNING"))) as client:
        for image in full_range + dimmer:
            response = client.post("/predict", files={"file": ("raw.png", png_bytes(image))})
            assert response.status_code == 200, response.text
            served = np.array(response.json()["probabilities"])
            on_array = classifier.probabilities(preprocess_array(image).image[None])[0]
            np.testing.assert_allclose(served, on_array, atol=1e-6)
            if image.max() == 255:
                raw = classifier.probabilities(image[None] / 255.0)[0]
                assert response.json()["digit"] == int(raw.argmax())
                np.testing.assert_allclose(served, raw, atol=1e-5)
