"""POST /predict, /predict/base64 and /predict/batch: the contract and every refusal."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from model_core.classifier import DigitClassifier
from tests.samples import digit_array, png_bytes

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
        assert item["prediction"]["probabilities"] == pytest.approx(
            single["probabilities"], abs=1e-6
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


# --- refusals, one per case ---------------------------------------------------------------------


def test_not_an_image_is_400(client: TestClient) -> None:
    response = post_file(client, b"this is a text file, not a picture\n", "notes.png")
    assert_error(response, 400, "invalid_image", "not a recognised image")


def test_truncated_png_is_400(client: TestClient) -> None:
    noise = np.random.default_rng(0).integers(0, 256, size=(200, 200), dtype=np.uint8)
    data = png_bytes(noise)
    response = post_file(client, data[: len(data) // 2])
    assert_error(response, 400, "invalid_image", "corrupt or truncated")


def test_ico_is_415(client: TestClient) -> None:
    buffer = io.BytesIO()
    Image.fromarray(digit_array()).convert("RGBA").save(buffer, format="ICO")
    response = post_file(client, buffer.getvalue(), "digit.ico")
    assert_error(response, 415, "unsupported_format", "ICO")


def test_svg_is_415(client: TestClient) -> None:
    svg = b'<svg viewBox="0 0 28 28"><path d="M14 4v20" stroke="#000" stroke-width="3"/></svg>'
    response = post_file(client, svg, "digit.svg")
    assert_error(response, 415, "unsupported_format", "SVG")


def test_body_over_the_limit_with_content_length_is_413(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(max_upload_bytes=2000)
    response = post_file(client, bytes(5000))
    assert_error(response, 413, "payload_too_large", "2,000 bytes")


def test_chunked_body_over_the_limit_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_upload_bytes=2000)
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(50):
            sent.append(1000)
            yield b'{"image": "' + b"A" * 988 + b'",'

    response = client.post(
        "/predict/base64", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "payload_too_large", "2,000 bytes")


def test_too_many_pixels_is_413(make_client: Callable[..., TestClient], digit_png: bytes) -> None:
    client = make_client(max_image_pixels=500)  # the 28x28 digit has 784
    response = post_file(client, digit_png)
    assert_error(response, 413, "image_too_large", "784", "500")


def test_bad_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/predict/base64", content=b'{"image": ', headers={"content-type": "application/json"}
    )
    assert_error(response, 422, "validation_error", "not valid JSON")


def test_bad_base64_is_422(client: TestClient) -> None:
    response = client.post("/predict/base64", json={"image": "iVBORw0K*not base64*"})
    assert_error(response, 422, "invalid_base64", "not valid base64", "'*'")


def test_base64_of_truncated_length_is_422(client: TestClient) -> None:
    response = client.post("/predict/base64", json={"image": "iVBORw0KG"})
    assert_error(response, 422, "invalid_base64", "not valid base64")


def test_missing_json_field_is_422(client: TestClient) -> None:
    response = client.post("/predict/base64", json={})
    assert_error(response, 422, "validation_error", "missing field 'image'")


def test_empty_json_body_is_422(client: TestClient) -> None:
    response = client.post(
        "/predict/base64", content=b"", headers={"content-type": "application/json"}
    )
    assert_error(response, 422, "validation_error", "the request body is empty")


def test_malformed_multipart_is_400(client: TestClient) -> None:
    response = client.post(
        "/predict", content=b"garbage", headers={"content-type": "multipart/form-data"}
    )
    assert_error(response, 400, "bad_request", "boundary")


def test_a_text_field_instead_of_a_file_is_422(client: TestClient) -> None:
    response = client.post("/predict", data={"file": "not a file"})
    assert_error(response, 422, "validation_error", "field 'file' holds text, not a file", "@")


def test_missing_file_is_422(client: TestClient) -> None:
    response = client.post("/predict", data={"note": "no file here"})
    assert_error(response, 422, "validation_error", "missing field 'file'", "multipart/form-data")


def test_wrong_file_field_name_is_422(client: TestClient, digit_png: bytes) -> None:
    response = post_file(client, digit_png, field="image")
    assert_error(response, 422, "validation_error", "missing field 'file'")


def test_wrong_json_field_name_is_422(client: TestClient, digit_png: bytes) -> None:
    response = client.post("/predict/base64", json={"img": b64(digit_png)})
    assert_error(response, 422, "validation_error", "missing field 'image'")


def test_json_sent_to_the_multipart_endpoint_is_422(client: TestClient, digit_png: bytes) -> None:
    response = client.post("/predict", json={"file": b64(digit_png)})
    assert_error(response, 422, "validation_error", "multipart/form-data")


def test_text_content_type_on_the_json_endpoint_is_422(
    client: TestClient, digit_png: bytes
) -> None:
    response = client.post(
        "/predict/base64",
        content=b'{"image": "' + b64(digit_png).encode() + b'"}',
        headers={"content-type": "text/plain"},
    )
    assert_error(response, 422, "validation_error", "application/json")


def test_data_url_of_text_is_415(client: TestClient) -> None:
    response = client.post(
        "/predict/base64", json={"image": "data:text/plain;base64," + b64(b"seven")}
    )
    assert_error(response, 415, "unsupported_format", "text/plain")


def test_blank_image_is_422_no_digit(client: TestClient, blank_png: bytes) -> None:
    response = post_file(client, blank_png)
    assert_error(response, 422, "no_digit", "no digit found in the image")


def test_batch_over_the_limit_is_413(
    make_client: Callable[..., TestClient], digit_png: bytes
) -> None:
    client = make_client(max_batch_size=2)
    files = [("files", (f"{i}.png", digit_png, "image/png")) for i in range(3)]
    response = client.post("/predict/batch", files=files)
    assert_error(response, 413, "too_many_files", "3 files", "at most 2")


def test_batch_without_files_is_422(client: TestClient) -> None:
    response = client.post("/predict/batch", data={"x": "1"})
    assert_error(response, 422, "validation_error", "missing field 'files'")


def test_predict_before_the_model_is_loaded_is_503(tiny_model_path: Path, digit_png: bytes) -> None:
    from app.config import Settings
    from app.main import create_app

    client = TestClient(create_app(Settings(model_path=tiny_model_path)))  # no lifespan
    assert_error(post_file(client, digit_png), 503, "model_not_loaded", "not loaded")


def test_garbage_never_gets_a_500(client: TestClient, digit_png: bytes) -> None:
    """Random bytes, cut images and corrupted images all get a 4xx error shape or a reading."""
    rng = np.random.default_rng(7)
    jpeg = io.BytesIO()
    Image.fromarray(digit_array()).save(jpeg, format="JPEG")
    payloads = [rng.bytes(int(n)) for n in rng.integers(1, 3000, size=8)]
    for source in (digit_png, jpeg.getvalue()):
        payloads += [source[:cut] for cut in (1, 8, 16, 33, len(source) // 2, len(source) - 1)]
        for _ in range(4):
            corrupted = bytearray(source)
            for position in rng.integers(8, len(source), size=5):
                corrupted[position] = int(rng.integers(0, 256))
            payloads.append(bytes(corrupted))
    for data in payloads:
        response = post_file(client, data)
        assert response.status_code in (200, 400, 413, 415, 422), (data[:16], response.text)
        if response.status_code == 200:
            assert_prediction(response.json())
        else:
            assert set(response.json()) == {"detail", "code"}
