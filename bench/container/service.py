"""The replayed image's command run as a service on this machine, observed, and fed.

- `running`: starts a command on a free port in its own process group, and kills the group
  when the block ends; `wait_ready`: seconds until GET /health/ready answers 200;
- `tree_size`: bytes under a folder;
- `digit_png` (an MNIST test digit when the data is here), `photo_jpeg` (16 MP) and
  `phone_jpeg` (24 MP, 7.6 MiB): what to send.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from bench import generators, servers
from bench.container.build import REPO_ROOT
from bench.servers import free_port
from model_core.data.mnist import read_idx

MNIST_DIR = REPO_ROOT.parent / "shared" / "data" / "mnist"


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def running(argv: list[str], cwd: Path, env: dict[str, str], log_path: Path) -> Iterator[Service]:
    """Start argv in its own process group; whatever happens, no process outlives the block."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**env, "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield Service(process, f"http://127.0.0.1:{port}", log_path)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_ready(service: Service, timeout: float = 60) -> float:
    """Seconds until GET /health/ready answers 200 (the model is loaded)."""
    url = f"{service.base_url}/health/ready"
    return servers.wait_ready(url, service.process, service.log, timeout)


def tree_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def digit_png(size: int = 280) -> tuple[bytes, int | None]:
    """A size x size PNG of the first MNIST test image (a 7) and its label if the data is
    here, else bench.generators' drawn 7 and None (no label to hold a model to)."""
    images = MNIST_DIR / "t10k-images-idx3-ubyte.gz"
    if not images.is_file():
        return generators.digit_png(size), None
    label = int(read_idx(MNIST_DIR / "t10k-labels-idx1-ubyte.gz")[0])
    picture = Image.fromarray(read_idx(images)[0]).resize((size, size), Image.Resampling.BILINEAR)
    return _encode(picture, "PNG"), label


def photo_jpeg(side: int = 4000) -> bytes:
    """A side x side JPEG of a dark digit on paper (16 MP, MAX_IMAGE_PIXELS by default)."""
    picture = Image.new("L", (side, side), 235)
    stroke = [(side // 2, side // 5), (side // 2, side * 4 // 5)]
    ImageDraw.Draw(picture).line(stroke, fill=20, width=side // 15)
    return _encode(picture.convert("RGB"), "JPEG", quality=85)


def phone_jpeg(quality: int = 92) -> bytes:
    """A 6000x4000 (24 MP) JPEG like a phone photo: sensor noise on lit paper, a dark 7.
    The noise keeps it large (7.6 MiB at quality 92), as real photos are."""
    rng = np.random.default_rng(0)
    width, height = 6000, 4000
    light = np.linspace(170, 215, width)[None, :, None]  # (1, W, 1) uneven light
    pixels = (light + rng.normal(0, 9, (height, width, 3))).clip(0, 255).astype(np.uint8)
    picture = Image.fromarray(pixels)
    stroke = [(2300, 900), (3700, 880), (2900, 3100)]
    ImageDraw.Draw(picture).line(stroke, fill=(30, 30, 50), width=90, joint="curve")
    return _encode(picture, "JPEG", quality=quality)


def _encode(picture: Image.Image, image_format: str, **options: int) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format, **options)
    return buffer.getvalue()
