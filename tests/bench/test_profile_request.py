"""bench/profile_request.py, tiny: every figure printed, and the stubbed app truly stubbed."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings
from app.inference import predict_image
from app.main import create_app
from app.routes import predict as predict_route
from bench import profile_request
from bench.generators import digit_png


def test_a_tiny_profile_prints_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--tiny", "--preset", "seed", "--model", "/nonexistent.npz", "--rounds", "1",
            "--per-round", "8", "--json"]  # fmt: skip
    assert profile_request.main(args) == 0
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    figures = ("FLOOR", "STUBBED", "WHOLE", "HANDLER", "AROUND")
    for key in (getattr(profile_request, name) for name in figures):
        assert isinstance(report[key], float), key
    assert report[profile_request.FLOOR] > 0 and report[profile_request.STUBBED] > 0


def test_the_stubbed_app_answers_without_reading_and_then_reads_again(
    tiny_model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def counted(*args: Any) -> Any:
        calls.append(1)
        return predict_image(*args)

    monkeypatch.setattr(predict_route, "predict_image", counted)
    png = digit_png()
    body = profile_request.multipart_body(png)
    app = create_app(Settings(model_path=tiny_model_path, log_level="WARNING"))

    async def run() -> None:
        async with app.router.lifespan_context(app):
            answer = predict_image(app.state.classifier, png, 10**7, time.perf_counter())
            stubbed = profile_request.StubbedReading(app, answer)
            assert await profile_request.asgi_post(stubbed, body) == 200
            assert calls == []  # the handler answered the ready result
            assert await profile_request.asgi_post(app, body) == 200
            assert calls == [1]  # and the app reads again once the stub is gone

    asyncio.run(run())
