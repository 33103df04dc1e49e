"""POST /predict, /predict/base64 and /predict/batch: every refusal, one per case, and garbage
that never gets a 500."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from tests.app.routes.test_predict import assert_error, assert_prediction, b64, post_file
from tests.samples import digit_array, png_bytes


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
