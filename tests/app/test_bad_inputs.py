"""Every bad input in the catalogue gets its defined answer, and none of them hurts the service.

The catalogue (tests/app/bad_inputs.py) runs through one in-process app, which must still read a
good digit and a good number afterwards, then once more over HTTP against a real uvicorn
process, which must still be alive and answering correctly at the end. Both serve the tiny model
with a rule that takes every image for no digit (`flagging_model_path`): each reading has
`is_digit` false, and `strict=true` refuses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from model_core.classifier import DigitClassifier
from tests.app.bad_images import digit_png
from tests.app.bad_inputs import CATALOGUE, BadInput, upload
from tests.app.live_process import uvicorn_process
from tests.samples import bars_array, png_bytes

PREDICTION_FIELDS = {"digit", "confidence", "probabilities", "is_digit", "preprocessing",
                     "timing_ms"}  # fmt: skip
NUMBER_FIELDS = {"number", "confidence", "digits", "preprocessing", "timing_ms"}


def send(client: httpx.Client, case: BadInput) -> httpx.Response:
    return client.request(case.method, case.path, **case.request())


def check_answer(response: httpx.Response, case: BadInput) -> None:
    """The status, then the error shape, code and message, or the prediction, the case expects."""
    assert response.status_code == case.status, f"{case.name}: {response.text[:300]}"
    if case.code is not None:
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert set(body) == {"detail", "code"}, body
        assert body["code"] == case.code, body
        assert case.fragment.lower() in body["detail"].lower(), body["detail"]
    elif case.status == 200 and case.path == "/predict":
        check_prediction(response.json(), case.checks)
    elif case.status == 200 and case.path.startswith("/predict/number"):
        check_number(response.json(), case.checks)
    elif case.status == 200:
        items = response.json()["results"]
        assert [item["status"] for item in items] == case.checks["item_statuses"]
    if "allow" in case.checks:
        assert response.headers["allow"] == case.checks["allow"]
        assert response.content == b""  # HEAD: no body


def check_prediction(body: dict, expected: dict) -> None:
    assert set(body) == PREDICTION_FIELDS
    assert body["is_digit"] is False  # the catalogue's model takes every image for no digit
    assert len(body["probabilities"]) == 10
    assert sum(body["probabilities"]) == pytest.approx(1.0, abs=1e-5)
    assert body["digit"] == max(range(10), key=body["probabilities"].__getitem__)
    for name, value in expected.items():
        assert body["preprocessing"][name] == value, (name, body["preprocessing"])


def check_number(body: dict, expected: dict) -> None:
    assert set(body) == NUMBER_FIELDS
    assert body["number"] == "".join(str(digit["digit"]) for digit in body["digits"])
    assert not any(digit["is_digit"] for digit in body["digits"])
    for name, value in expected.items():
        if name == "digits":
            assert len(body["digits"]) == value
        else:
            assert body["preprocessing"][name] == value, (name, body["preprocessing"])


def check_good_prediction(client: httpx.Client, model_path: Path) -> None:
    """A good upload still gets exactly the classifier's own reading, digit and number."""
    data = digit_png()
    response = client.post("/predict", **upload(data))
    assert response.status_code == 200, response.text
    classifier = DigitClassifier.load(model_path)
    expected = classifier.predict(data)
    body = response.json()
    assert body["digit"] == expected.digit
    assert body["probabilities"] == pytest.approx(expected.probabilities, abs=1e-6)
    assert body["is_digit"] is expected.is_digit is False
    number = png_bytes(bars_array(3))
    response = client.post("/predict/number", **upload(number))
    assert response.status_code == 200, response.text
    assert response.json()["number"] == classifier.read_number(number).reading.number


@pytest.fixture(scope="module")
def catalogue_client(flagging_model_path: Path) -> Iterator[TestClient]:
    """One app for the whole catalogue; afterwards it must still read a digit correctly."""
    app = create_app(Settings(model_path=flagging_model_path, log_level="WARNING"))
    with TestClient(app) as client:
        yield client
        check_good_prediction(client, flagging_model_path)


def test_the_catalogue_is_large_and_names_are_unique() -> None:
    names = [case.name for case in CATALOGUE]
    assert len(names) >= 25 and len(set(names)) == len(names)


@pytest.mark.parametrize("case", CATALOGUE, ids=[case.name for case in CATALOGUE])
def test_bad_input_gets_its_defined_answer(catalogue_client: TestClient, case: BadInput) -> None:
    check_answer(send(catalogue_client, case), case)


def test_a_real_server_survives_the_whole_catalogue(flagging_model_path: Path) -> None:
    with (
        uvicorn_process(flagging_model_path) as live,
        httpx.Client(base_url=live.url, timeout=30) as client,
    ):
        for case in CATALOGUE:
            check_answer(send(client, case), case)
        assert live.alive()
        assert client.get("/health/live").status_code == 200
        check_good_prediction(client, flagging_model_path)
