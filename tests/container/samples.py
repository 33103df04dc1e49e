"""What to send to the service, and a model to serve while none is committed.

- `digit_png`: a 280x280 PNG of a digit (an MNIST test image if the data is here);
- `photo_jpeg`: a 16 MP JPEG, the largest image the service decodes;
- `write_tiny_model`: a randomly initialised `seed` network.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from model_core.mnist import read_idx
from model_core.presets import build
from model_core.serialization import save_model
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
    """A side x side JPEG of a dark digit on paper: the largest image the service decodes
    (MAX_IMAGE_PIXELS, 16 MP by default), for the worst-case memory of one request."""
    picture = Image.new("L", (side, side), 235)
    ImageDraw.Draw(picture).line(
        [(side // 2, side // 5), (side // 2, side * 4 // 5)], fill=20, width=side // 15
    )
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def write_tiny_model(path: Path) -> None:
    """A randomly initialised `seed` network: a stand-in while no model is committed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save_model(path, build("seed", np.random.default_rng(0)), {"preset": "seed"})
