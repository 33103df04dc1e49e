"""POST /predict/number and /predict/number/base64: the contract, every refusal, and real
numbers of MNIST test digits read by the committed model."""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.number_schemas import FORTY_TWO_PNG_BASE64, NUMBER_EXAMPLE
from model_core.classifier import DigitClassifier
from model_core.data.mnist import load_mnist
from tests.app.routes.test_predict import assert_error, assert_prediction
from tests.numbers import make_number
from tests.samples import bars_array, png_bytes

COMMITTED_MODEL = Path(__file__).resolve().parents[3] / "trained_cnn_model.npz"
NUMBER_FIELDS = {"number", "confidence", "digits", "preprocessing", "timing_ms"}
SAMPLES, MIN_EXACT = 50, 45  # two-digit numbers read exactly: at least 90% (47 measured)


def post_number(client: TestClient, data: bytes, name: str = "number.png") -> httpx.Response:
    return client.post("/predict/number", files={"file": (name, data, "application/octet-stream")})


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def assert_number(body: dict, width: int, height: int) -> None:
    """The response's shape and types, and that its parts agree with one another."""
    assert set(body) == NUMBER_FIELDS
    assert isinstance(body["number"], str) and body["number"].isdigit()
    digits = body["digits"]
    assert digits and body["number"] == "".join(str(d["digit"]) for d in digits)
    assert body["confidence"] == pytest.approx(math.prod(d["confidence"] for d in digits))
    for digit in digits:
        assert set(digit) == {"digit", "confidence", "probabilities", "is_digit", "box"}
        assert isinstance(digit["is_digit"], bool)
        assert isinstance(digit["digit"], int) and isinstance(digit["confidence"], float)
        assert len(digit["probabilities"]) == 10
        assert sum(digit["probabilities"]) == pytest.approx(1.0, abs=1e-5)
        assert digit["digit"] == int(np.argmax(digit["probabilities"]))
        assert digit["confidence"] == pytest.approx(max(digit["probabilities"]))
        left, top, right, bottom = digit["box"]
        assert all(isinstance(v, int) for v in digit["box"])
        assert 0 <= left < right <= width and 0 <= top < bottom <= height, digit["box"]
    lefts = [d["box"][0] for d in digits]
    assert lefts == sorted(lefts)  # left to right
    found = body["preprocessing"]
    assert (found["width"], found["height"]) == (width, height)
    bbox = found["bbox"]
    for digit in digits:
        left, top, right, bottom = digit["box"]
        assert bbox[0] <= left and bbox[1] <= top and right <= bbox[2] and bottom <= bbox[3]
    timing = body["timing_ms"]
    assert set(timing) == {"decode_preprocess", "inference", "total"}
    assert all(value >= 0 for value in timing.values())
    assert timing["total"] >= timing["inference"]


# --- the contract -------------------------------------------------------------------------------


def test_a_number_gets_the_classifiers_reading(client: TestClient, tiny_model_path: Path) -> None:
    data = png_bytes(bars_array(3))
    response = post_number(client, data)
    assert response.status_code == 200, response.text
    body = response.json()
    assert_number(body, 128, 40)
    expected = DigitClassifier.load(tiny_model_path).read_number(data).reading
    assert body["number"] == expected.number and len(body["number"]) == 3
    assert body["confidence"] == pytest.approx(expected.confidence, abs=1e-6)
    for digit, bar in zip(body["digits"], range(3), strict=True):
        left, top, right, bottom = digit["box"]  # each bar's own box, give or take a pixel
        assert abs(left - (10 + 36 * bar)) <= 1 and abs(right - (16 + 36 * bar)) <= 1
        assert abs(top - 5) <= 1 and abs(bottom - 35) <= 1
    found = body["preprocessing"]
    assert (found["format"], found["mode"], found["inverted"]) == ("PNG", "L", True)


def test_transparent_canvas_is_described_as_predict_describes_it(client: TestClient) -> None:
    ink = np.zeros((50, 90, 4), dtype=np.uint8)  # black strokes on a transparent canvas
    ink[8:42, 10:16, 3] = ink[8:42, 60:66, 3] = 255
    response = post_number(client, png_bytes(ink, "RGBA"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert_number(body, 90, 50)
    assert len(body["digits"]) == 2
    assert (body["preprocessing"]["mode"], body["preprocessing"]["had_alpha"]) == ("RGBA", True)


def test_base64_plain_and_data_url_answer_like_multipart(client: TestClient) -> None:
    data = png_bytes(bars_array(2))
    multipart = post_number(client, data).json()
    for text in (b64(data), "data:image/png;base64," + b64(data)):
        response = client.post("/predict/number/base64", json={"image": text})
        assert response.status_code == 200, response.text
        body = response.json()
        assert_number(body, 92, 40)
        assert body["number"] == multipart["number"]
        assert body["digits"] == multipart["digits"]
        assert body["preprocessing"] == multipart["preprocessing"]


def test_predict_is_unchanged(client: TestClient, digit_png: bytes, tiny_model_path: Path) -> None:
    response = client.post("/predict", files={"file": ("digit.png", digit_png)})
    assert response.status_code == 200
    assert_prediction(response.json())
    expected = DigitClassifier.load(tiny_model_path).predict(digit_png)
    assert response.json()["probabilities"] == pytest.approx(expected.probabilities, abs=1e-6)


def test_the_limit_of_digits_is_a_setting(make_client: Callable[..., TestClient]) -> None:
    data = png_bytes(bars_array(2))
    assert post_number(make_client(max_number_digits=2), data).status_code == 200
    assert "max_number_digits" in make_client().get("/model/info").json()["input"]


# --- refusals -----------------------------------------------------------------------------------


def test_too_many_digits_is_422(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_number_digits=1)
    response = post_number(client, png_bytes(bars_array(2)))
    assert_error(response, 422, "too_many_digits", "at least 2 digits", "at most 1")
    body = client.post("/predict/number/base64", json={"image": b64(png_bytes(bars_array(3)))})
    assert_error(body, 422, "too_many_digits", "at most 1")


def test_two_files_are_refused(client: TestClient) -> None:
    data = png_bytes(bars_array(2))
    files = [("file", ("a.png", data, "image/png")), ("file", ("b.png", data, "image/png"))]
    response = client.post("/predict/number", files=files)
    assert_error(response, 422, "validation_error", "2 files", "reads one image")


def test_blank_image_is_422_no_digit(client: TestClient, blank_png: bytes) -> None:
    assert_error(post_number(client, blank_png), 422, "no_digit", "no digit found")
    response = client.post("/predict/number/base64", json={"image": b64(blank_png)})
    assert_error(response, 422, "no_digit", "no digit found")


def test_bad_base64_is_422(client: TestClient) -> None:
    response = client.post("/predict/number/base64", json={"image": "iVBORw0K*not base64*"})
    assert_error(response, 422, "invalid_base64", "not valid base64", "'*'")
    response = client.post("/predict/number/base64", json={"picture": "x"})
    assert_error(response, 422, "validation_error", "missing field 'image'", "application/json")


def test_unsupported_formats_are_415(client: TestClient) -> None:
    svg = b'<svg viewBox="0 0 28 28"><path d="M14 4v20" stroke="#000" stroke-width="3"/></svg>'
    assert_error(post_number(client, svg, "n.svg"), 415, "unsupported_format", "SVG")
    response = client.post(
        "/predict/number/base64", json={"image": "data:text/plain;base64," + b64(b"42")}
    )
    assert_error(response, 415, "unsupported_format", "text/plain")


def test_not_an_image_is_400(client: TestClient) -> None:
    response = post_number(client, b"this is a text file, not a picture\n")
    assert_error(response, 400, "invalid_image", "not a recognised image")


def test_missing_file_is_422(client: TestClient) -> None:
    response = client.post("/predict/number", data={"note": "no file here"})
    assert_error(response, 422, "validation_error", "missing field 'file'", "multipart/form-data")


def test_size_limits_are_predicts(make_client: Callable[..., TestClient]) -> None:
    data = png_bytes(bars_array(2))  # 92 x 40 = 3,680 pixels
    response = post_number(make_client(max_image_pixels=1000), data)
    assert_error(response, 413, "image_too_large", "3,680", "1,000")
    small = make_client(max_upload_bytes=2000)
    assert_error(post_number(small, bytes(5000)), 413, "payload_too_large", "2,000 bytes")
    response = small.post("/predict/number/base64", json={"image": "A" * 5000})
    assert_error(response, 413, "payload_too_large", "2,000 bytes")


def test_before_the_model_is_loaded_is_503(tiny_model_path: Path) -> None:
    client = TestClient(create_app(Settings(model_path=tiny_model_path)))  # no lifespan
    response = post_number(client, png_bytes(bars_array(2)))
    assert_error(response, 503, "model_not_loaded", "not loaded")


def test_garbage_never_gets_a_500(client: TestClient) -> None:
    rng = np.random.default_rng(11)
    data = png_bytes(bars_array(4))
    payloads = [rng.bytes(int(n)) for n in rng.integers(1, 3000, size=6)]
    payloads += [data[:cut] for cut in (8, 40, len(data) // 2, len(data) - 1)]
    noise = rng.integers(0, 256, size=(60, 200), dtype=np.uint8)  # ink everywhere
    payloads += [png_bytes(noise), png_bytes(np.full((3, 3000), 0, dtype=np.uint8))]
    for payload in payloads:
        for response in (
            post_number(client, payload),
            client.post("/predict/number/base64", json={"image": b64(payload)}),
        ):
            assert response.status_code < 500, response.text
            if response.status_code == 200:
                found = response.json()["preprocessing"]
                assert_number(response.json(), found["width"], found["height"])
            else:
                assert set(response.json()) == {"detail", "code"}


# --- real numbers, the committed model ----------------------------------------------------------


@pytest.fixture(scope="module")
def committed_client() -> Iterator[TestClient]:
    if not COMMITTED_MODEL.is_file():
        pytest.skip(f"the committed model {COMMITTED_MODEL.name} is not in the repository yet")
    with TestClient(create_app(Settings(model_path=COMMITTED_MODEL, log_level="WARNING"))) as c:
        yield c


def test_the_documented_example_reads_as_documented(committed_client: TestClient) -> None:
    response = committed_client.post("/predict/number/base64", json={"image": FORTY_TWO_PNG_BASE64})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["number"] == NUMBER_EXAMPLE["number"]
    assert [d["box"] for d in body["digits"]] == [d["box"] for d in NUMBER_EXAMPLE["digits"]]
    assert body["preprocessing"] == NUMBER_EXAMPLE["preprocessing"]


def test_two_spaced_mnist_test_digits_read_as_their_label(
    committed_client: TestClient, mnist_dir: Path
) -> None:
    images, labels = load_mnist(mnist_dir, "test")
    rng = np.random.default_rng(27)
    samples = [make_number(images, labels, "spaced", "canvas", rng, 2) for _ in range(SAMPLES)]
    read = []
    for sample in samples:
        response = post_number(committed_client, sample.data)
        assert response.status_code == 200, response.text
        read.append(response.json()["number"])
    exact = sum(got == sample.label for got, sample in zip(read, samples, strict=True))
    misread = [(s.label, got) for got, s in zip(read, samples, strict=True) if got != s.label]
    assert exact >= MIN_EXACT, f"{exact} of {SAMPLES} read exactly; misread {misread}"
