"""POST /predict, /predict/base64 and /predict/batch: the contract (every refusal:
test_predict_refusals.py), and the helpers the other endpoint tests share."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from model_core.classifier import DigitClassifier
from tests.samples import digit_array, png_bytes
from tests.upload_styles import encode

PREPROCESSING_FIELDS = {"format", "width", "height", "mode", "inverted", "had_alpha", "bbox"}


def assert_prediction(body: dict) -> None:
    assert set(body) == {"digit", "confidence", "probabilities", "is_digit", "preprocessing",
                         "timing_ms"}  # fmt: skip
    assert isinstance(body["is_digit"], bool)
    probabilities = body["probabilities"]
    assert len(probabilities) == 10
    assert sum(probabilities) == pytest.approx(1.0, abs=1e-5)
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert body["digit"] == int(np.argmax(probabilities))
    assert body["confidence"] == pytest.approx(max(probabilities))
    assert set(body["preprocessing"]) >= PREPROCESSING_FIELDS
    assert len(body["preprocessing"]["bbox"]) == 4
    timing = body["timing_ms"]
    assert set(timing) == {"decode_preprocess", "inference", "total"}
    assert all(value >= 0 for value in timing.values())
    assert timing["total"] >= timing["decode_preprocess"]


def assert_error(response, status: int, code: str, *fragments: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == code
    for fragment in fragments:
        assert fragment.lower() in body["detail"].lower(), body["detail"]


def post_file(client: TestClient, data: bytes, name: str = "digit.png", field: str = "file"):
    return client.post("/predict", files={field: (name, data, "application/octet-stream")})


def distinct_shapes() -> list[np.ndarray]:
    """Four 28x28 white-on-black shapes that normalise to four different digits images."""
    bar, cross, ring, slash = (np.zeros((28, 28), dtype=np.uint8) for _ in range(4))
    bar[4:24, 12:16] = 255
    cross[4:24, 12:16] = cross[12:16, 4:24] = 255
    rows, columns = np.mgrid[0:28, 0:28]
    ring[np.abs(np.hypot(rows - 14, columns - 14) - 8) < 2] = 255
    slash[np.abs(rows + columns - 28) < 3] = 255
    return [bar, cross, ring, slash]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- the contract -------------------------------------------------------------------------------


def test_predict_returns_the_models_reading(
    client: TestClient, digit_png: bytes, tiny_model_path: Path
) -> None:
    response = post_file(client, digit_png)
    assert response.status_code == 200
    body = response.json()
    assert_prediction(body)
    expected = DigitClassifier.load(tiny_model_path).predict(digit_png)
    assert body["digit"] == expected.digit
    assert body["probabilities"] == pytest.approx(expected.probabilities, abs=1e-6)
    preprocessing = body["preprocessing"]
    assert (preprocessing["format"], preprocessing["width"], preprocessing["height"]) == (
        "PNG",
        28,
        28,
    )
    assert preprocessing["mode"] == "L" and preprocessing["inverted"] is False


def test_predict_reports_what_preprocessing_found(client: TestClient) -> None:
    ink = np.full((60, 90, 4), 0, dtype=np.uint8)  # black strokes on a transparent canvas
    ink[10:50, 40:46, 3] = 255
    response = post_file(client, png_bytes(ink, "RGBA"))
    assert response.status_code == 200
    found = response.json()["preprocessing"]
    assert (found["width"], found["height"], found["mode"]) == (90, 60, "RGBA")
    assert found["had_alpha"] is True
    left, top, right, bottom = found["bbox"]
    assert 38 <= left <= 40 and 46 <= right <= 48 and 8 <= top <= 10 and 50 <= bottom <= 52


def test_an_iphones_heic_photo_is_read_as_its_png_is(client: TestClient) -> None:
    pytest.importorskip("pillow_heif", reason="pillow-heif writes the test's HEIC file")
    page = np.full((200, 300), 235, dtype=np.uint8)  # a grey sheet with a bar on it
    page[40:160, 140:156] = 30
    heic = post_file(client, encode(Image.fromarray(page), "HEIF", quality=60), "IMG_0001.HEIC")
    assert heic.status_code == 200, heic.text
    body, png = heic.json(), post_file(client, png_bytes(page)).json()
    assert_prediction(body)
    assert body["preprocessing"]["format"] == "HEIF"
    assert body["digit"] == png["digit"]
    boxes = body["preprocessing"]["bbox"], png["preprocessing"]["bbox"]
    assert np.abs(np.subtract(*boxes)).max() <= 2


def test_base64_plain_and_data_url_answer_like_multipart(
    client: TestClient, digit_png: bytes
) -> None:
    multipart = post_file(client, digit_png).json()
    plain = client.post("/predict/base64", json={"image": b64(digit_png)})
    data_url = client.post(
        "/predict/base64", json={"image": "data:image/png;base64," + b64(digit_png)}
    )
    for response in (plain, data_url):
        assert response.status_code == 200, response.text
        body = response.json()
        assert_prediction(body)
        assert body["digit"] == multipart["digit"]
        assert body["probabilities"] == pytest.approx(multipart["probabilities"], abs=1e-7)
        assert body["preprocessing"] == multipart["preprocessing"]


def test_base64_tolerates_line_breaks_urlsafe_alphabet_and_missing_padding(
    client: TestClient,
) -> None:
    # Random pixels: the encoded PNG is long enough to hold '+', '/' and padding characters.
    rng = np.random.default_rng(3)
    image = digit_array()
    image[image == 0] = rng.integers(0, 20, size=int((image == 0).sum()), dtype=np.uint8)
    data = png_bytes(image)
    standard = b64(data)
    assert {"+", "/"} & set(standard)
    expected = post_file(client, data).json()["probabilities"]
    variants = [
        "\n".join(standard[i : i + 76] for i in range(0, len(standard), 76)),  # MIME lines
        base64.urlsafe_b64encode(data).decode().rstrip("="),
        "  data:image/png;base64,\r\n" + standard + "\n",
    ]
    for text in variants:
        response = client.post("/predict/base64", json={"image": text})
        assert response.status_code == 200, response.text
        assert response.json()["probabilities"] == pytest.approx(expected, abs=1e-7)


def test_batch_answers_in_request_order(client: TestClient) -> None:
    images = [png_bytes(shape) for shape in distinct_shapes()]
    singles = [post_file(client, data).json() for data in images]
    assert len({tuple(s["probabilities"]) for s in singles}) == len(images)  # all different
    files = [("files", (f"img{i}.png", data, "image/png")) for i, data in enumerate(images)]
    response = client.post("/predict/batch", files=files)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["succeeded"], body["failed"]) == (4, 4, 0)
    assert set(body["timing_ms"]) == {"decode_preprocess", "inference", "total"}
    for index, (item, single) in enumerate(zip(body["results"], singles, strict=True)):
        assert (item["index"], item["filename"], item["status"]) == (index, f"img{index}.png", 200)
        assert item["error"] is None
        assert_prediction(item["prediction"])
        # float32 through BLAS kernels that differ with the batch size: about 1e-6 apart
        assert item["prediction"]["probabilities"] == pytest.approx(
            single["probabilities"], abs=1e-5
        )


def test_batch_reports_a_bad_file_in_its_own_item(
    client: TestClient, digit_png: bytes, blank_png: bytes
) -> None:
    files = [
        ("files", ("good.png", digit_png, "image/png")),
        ("files", ("notes.txt", b"just some text", "text/plain")),
        ("files", ("blank.png", blank_png, "image/png")),
        ("files", ("again.png", digit_png, "image/png")),
    ]
    response = client.post("/predict/batch", files=files)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["succeeded"], body["failed"]) == (4, 2, 2)
    results = body["results"]
    assert [item["status"] for item in results] == [200, 400, 422, 200]
    assert results[1]["error"]["code"] == "invalid_image"
    assert results[2]["error"] == {"detail": "no digit found in the image", "code": "no_digit"}
    assert results[1]["prediction"] is None and results[2]["prediction"] is None
    assert results[0]["prediction"]["probabilities"] == results[3]["prediction"]["probabilities"]


def test_batch_at_the_limit_is_accepted(
    make_client: Callable[..., TestClient], digit_png: bytes
) -> None:
    client = make_client(max_batch_size=2)
    files = [("files", (f"{i}.png", digit_png, "image/png")) for i in range(2)]
    assert client.post("/predict/batch", files=files).status_code == 200
