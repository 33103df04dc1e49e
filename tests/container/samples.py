"""What to send to the service, and a model to serve while none is committed.

- `digit_png`: a 280x280 PNG of a digit (an MNIST test image if the data is here);
- `photo_jpeg`: a 16 MP JPEG of a drawn digit (decoded at 1/2 scale, 4 MP);
- `phone_jpeg`: a 24 MP photo-like JPEG of 7.6 MiB, near the 10 MiB upload limit;
- `write_tiny_model`: a randomly initialised `seed` network.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from model_core.data.mnist import read_idx
from model_core.nn.presets import build
from model_core.nn.serialization import save_model
from tests.container.paths import MNIST_DIR


def digit_png(size: int = 280) -> tuple[bytes, int | None]:
    """A PNG of a digit at size x size: the first MNIST test image (a 7) if the data is here,
    else a 1 drawn with Pillow. Also the true digit (None for the drawing: no label to trust)."""
    images = MNIST_DIR / "t10k-images-idx3-ubyte.gz"
    if images.is_file():
        pixels, label = (
            read_idx(images)[0],
            int(read_idx(MNIST_DIR / "t10k-labels-idx1-ubyte.gz")[0]),
        )
        picture = Image.fromarray(pixels).resize((size, size), Image.Resampling.BILINEAR)
    else:
        picture, label = Image.new("L", (size, size), 0), None
        ImageDraw.Draw(picture).line(
            [(size // 2, size // 6), (size // 2, size * 5 // 6)], fill=255, width=size // 12
        )
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue(), label


def photo_jpeg(side: int = 4000) -> bytes:
    """A side x side JPEG of a dark digit on paper (16 MP, MAX_IMAGE_PIXELS by default)."""
    picture = Image.new("L", (side, side), 235)
    ImageDraw.Draw(picture).line(
        [(side // 2, side // 5), (side // 2, side * 4 // 5)], fill=20, width=side // 15
    )
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


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
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def write_tiny_model(path: Path) -> None:
    """A randomly initialised `seed` network: a stand-in while no model is committed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save_model(path, build("seed", np.random.default_rng(0)), {"preset": "seed"})
