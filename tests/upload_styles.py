"""Render real MNIST digits the way users upload them, as encoded image bytes.

render(style, digit, rng) supports: "raw" (the 28x28 MNIST image as an L PNG), "canvas"
(black strokes on a white 280x280 web canvas), "transparent" (the same strokes on a
transparent canvas whose empty pixels are RGBA 0,0,0,0), "corner" (a small dark digit near a
corner of a white 640x400 page scan), "photo" (a phone photo: ink on grey paper, uneven
light, slight rotation and blur, sensor noise, JPEG quality 70), "tight" (a photo or scan cut
to the digit's strokes), "scan" (a sheet inside dark edges: a scanner's black border all
round, or the table beside it along one side), "shadow" (a phone photo with the shadow of a
hand or the phone across part of the page, its edge sharp or soft), "desk" (a phone photo
of a sheet lying turned on a darker desk that shows all round it, plain or grained), "lined"
(a phone photo of notebook paper: blue rules, a red margin, blue or black ink), "graph"
(a phone photo of graph paper: a blue or green-grey grid, blue ink or pencil) and
"desk_lamp" (the desk photo under a lamp to one side: the photo style's uneven light) and
"spotlight" (the photo style's sheet lit by a pool of light: a spotlight, a phone's flash held
close).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

from model_core.number.synth import strokes

STYLES: tuple[str, ...] = (
    "raw",
    "canvas",
    "transparent",
    "corner",
    "photo",
    "tight",
    "scan",
    "shadow",
    "desk",
)
# Printed paper, rendered alike but measured apart (lower bars): rules under pencil are hard.
PAPER_STYLES: tuple[str, ...] = ("lined", "graph")
# Added after the others, so that their samples stay the ones measured before.
LIT_STYLES: tuple[str, ...] = ("desk_lamp",)
POOL_STYLES: tuple[str, ...] = ("spotlight",)  # added later still


def render(style: str, digit: np.ndarray, rng: np.random.Generator) -> bytes:
    """(28, 28) uint8 MNIST digit (white on black) -> encoded upload bytes in `style`."""
    renderers = {
        "raw": _raw,
        "canvas": _canvas,
        "transparent": _transparent,
        "corner": _corner,
        "photo": _photo,
        "tight": _tight,
        "scan": _scan,
        "shadow": _shadow,
        "desk": _desk,
        "desk_lamp": lambda digit, rng: _desk(digit, rng, lamp=True),
        "lined": _lined,
        "graph": _graph,
        "spotlight": _spotlight,
    }
    if style not in renderers:
        known = STYLES + PAPER_STYLES + LIT_STYLES + POOL_STYLES
        raise ValueError(f"unknown style {style!r}; choose from {known}")
    return renderers[style](np.asarray(digit, dtype=np.uint8), rng)


def place(
    shape: tuple[int, int], ink: np.ndarray, rng: np.random.Generator, margin: int
) -> np.ndarray:
    """(H, W) coverage with the (h, w) `ink` at a random place at least `margin` inside."""
    height, width = ink.shape
    top = int(rng.integers(margin, shape[0] - height - margin + 1))
    left = int(rng.integers(margin, shape[1] - width - margin + 1))
    coverage = np.zeros(shape, dtype=np.float32)
    coverage[top : top + height, left : left + width] = ink
    return coverage


def encode(image: Image.Image, format_name: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    if format_name == "HEIF":  # the service reads HEIF with pi-heif, which writes none
        import pillow_heif  # a dev dependency: libheif with the x265 encoder

        pillow_heif.from_pillow(image).save(buffer, **options)
    else:
        image.save(buffer, format=format_name, **options)
    return buffer.getvalue()


def _raw(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    return encode(Image.fromarray(digit), "PNG")


def _canvas_coverage(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(280, 280) coverage: a digit 150-230 px on its long side, anywhere on the canvas."""
    return place((280, 280), strokes(digit, int(rng.integers(150, 231))), rng, margin=8)


def _canvas(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    pen = float(rng.integers(0, 40))  # near-black pen
    gray = 255 - _canvas_coverage(digit, rng) * (255 - pen)  # (280, 280)
    rgb = np.repeat(np.round(gray).astype(np.uint8)[:, :, None], 3, axis=2)  # (280, 280, 3)
    return encode(Image.fromarray(rgb), "PNG")


def _transparent(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    alpha = np.round(_canvas_coverage(digit, rng) * 255).astype(np.uint8)  # (280, 280)
    rgba = np.zeros((280, 280, 4), dtype=np.uint8)  # empty pixels are (0, 0, 0, 0)
    rgba[:, :, 3] = alpha
    return encode(Image.fromarray(rgba), "PNG")


def _corner(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    region = place((140, 180), strokes(digit, int(rng.integers(40, 61))), rng, margin=10)
    corner_top = int(rng.choice([0, 400 - 140]))  # the region sits in a corner of the page
    corner_left = int(rng.choice([0, 640 - 180]))
    page = np.zeros((400, 640), dtype=np.float32)  # (400, 640) ink coverage
    page[corner_top : corner_top + 140, corner_left : corner_left + 180] = region
    paper, pen = float(rng.uniform(235, 252)), float(rng.uniform(20, 70))
    noise = 2.0 * rng.standard_normal(page.shape, dtype=np.float32)  # scanner noise
    gray = paper - np.clip(page, 0, 1) * (paper - pen) + noise
    return encode(_to_image(gray).filter(ImageFilter.GaussianBlur(0.6)), "PNG", compress_level=1)


def _photo(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    size = 300
    ink = strokes(digit, int(rng.integers(150, 221)), angle=float(rng.uniform(-6, 6)))
    coverage = place((size, size), ink, rng, margin=12)
    light = illumination(size, rng)  # (300, 300) uneven light, about 0.45..1.2
    paper, pen = float(rng.uniform(150, 200)), float(rng.uniform(30, 70))
    gray = (paper - np.clip(coverage, 0, 1) * (paper - pen)) * light  # (300, 300)
    tint = np.array([1.0, rng.uniform(0.95, 1.0), rng.uniform(0.85, 0.95)], dtype=np.float32)
    rgb = gray[:, :, None] * tint  # (300, 300, 3) warm paper
    photo = camera(rgb, float(rng.uniform(1.0, 1.8)), rng.uniform(4, 8), rng)
    return encode(photo, "JPEG", quality=70)


def _tight(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    ink = strokes(digit, int(rng.integers(150, 231)), angle=float(rng.uniform(-4, 4)))
    coverage = np.pad(ink, int(rng.integers(0, 3)))  # (h, w) cropped 0-2 px around the ink
    height, width = coverage.shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32) / max(height, width)  # (2, h, w)
    angle = rng.uniform(0, 2 * np.pi)  # the crop is a small part of the photo's light gradient
    light = 1 + rng.uniform(0, 0.12) * (np.cos(angle) * xs + np.sin(angle) * ys - 0.5)
    paper, pen = float(rng.uniform(170, 255)), float(rng.uniform(0, 70))
    gray = (paper - coverage * (paper - pen)) * light  # (h, w)
    cropped = camera(gray, float(rng.uniform(0.0, 1.2)), rng.uniform(0, 4), rng)
    return encode(cropped, "JPEG") if rng.random() < 0.5 else encode(cropped, "PNG")


def _scan(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    height, width = (int(side) for side in rng.integers(280, 401, 2))
    bands = [0, 0, 0, 0]  # top, bottom, left, right: dark pixels between the edge and the paper
    if rng.random() < 0.5:
        bands = [int(rng.integers(3, 9))] * 4  # the scanner's black border all round the page
    else:
        bands[int(rng.integers(4))] = int(rng.integers(10, 61))  # the table along one side
    top, bottom, left, right = bands[0], height - bands[1], bands[2], width - bands[3]
    ink = strokes(digit, int(rng.integers(120, 201)))
    coverage = place((bottom - top, right - left), ink, rng, margin=8)  # on the paper only
    paper, pen = float(rng.uniform(225, 250)), float(rng.uniform(20, 70))
    gray = np.full((height, width), rng.uniform(10, 90), dtype=np.float32)  # (H, W) the edges
    gray[top:bottom, left:right] = paper - coverage * (paper - pen)
    scanned = camera(gray, 0.6, 2.0, rng)
    return encode(scanned, "JPEG", quality=90) if rng.random() < 0.5 else encode(scanned, "PNG")


def _shadow(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    size = 300
    ink = strokes(digit, int(rng.integers(150, 221)), angle=float(rng.uniform(-6, 6)))
    coverage = place((size, size), ink, rng, margin=12)
    paper, pen = float(rng.uniform(180, 245)), float(rng.uniform(20, 70))
    gray = paper - coverage * (paper - pen)  # (300, 300)
    ys, xs = np.mgrid[0:size, 0:size] - (size - 1) / 2  # (2, 300, 300) from the centre
    angle = rng.uniform(0, 2 * np.pi)  # the shadow's edge: any direction, a fifth to four
    offset = rng.uniform(-0.3, 0.3) * size  # fifths of the page in the shadow
    distance = np.cos(angle) * xs + np.sin(angle) * ys - offset  # (300, 300) px into it
    softness = rng.uniform(0.5, 12)  # px: a hand close to the page, or further away
    depth = rng.uniform(0.3, 0.65)  # the light the shadow takes away
    light = 1 - depth / (1 + np.exp(-np.clip(distance / softness, -50, 50)))  # (300, 300)
    photo = camera(gray * light, float(rng.uniform(0.6, 1.2)), rng.uniform(2, 5), rng)
    return encode(photo, "JPEG", quality=80)


def _desk(digit: np.ndarray, rng: np.random.Generator, lamp: bool = False) -> bytes:
    size = 320
    ys, xs = np.mgrid[0:size, 0:size] - (size - 1) / 2  # (2, 320, 320) from the centre
    turn = np.deg2rad(rng.uniform(-15, 15))
    centre = rng.uniform(-20, 20, 2)  # (2,) the sheet's centre, x and y, px
    along = np.cos(turn) * xs + np.sin(turn) * ys - centre[0]  # (320, 320) sheet coordinates
    across = np.cos(turn) * ys - np.sin(turn) * xs - centre[1]  # (320, 320)
    half_width = rng.uniform(0.3, 0.42) * size  # the sheet is 60 to 85% of the photo wide
    on_sheet = (np.abs(along) < half_width) & (np.abs(across) < half_width * rng.uniform(0.75, 1))
    desk = np.full((size, size), rng.uniform(40, 140), np.float32)  # (320, 320)
    if rng.random() < 0.5:  # wood grain: streaks along the rows
        grain = rng.standard_normal((size, size // 8)).repeat(8, axis=1)  # (320, 320)
        desk += rng.uniform(10, 25) * (grain + np.roll(grain, 1, axis=0)) / 2
    ink = strokes(digit, int(half_width * rng.uniform(0.9, 1.2)), angle=float(rng.uniform(-6, 6)))
    coverage = np.zeros((size, size), np.float32)  # (320, 320) the digit in the sheet's middle
    top = int(size / 2 + centre[1]) - ink.shape[0] // 2
    left = int(size / 2 + centre[0]) - ink.shape[1] // 2
    coverage[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    paper, pen = float(rng.uniform(190, 245)), float(rng.uniform(20, 70))
    gray = np.where(on_sheet, paper, desk)  # (320, 320)
    drawn = gray - coverage * (gray - pen)  # (320, 320)
    if lamp:
        drawn = drawn * illumination(size, rng)
    photo = camera(drawn, float(rng.uniform(0.6, 1.2)), 3.0, rng)
    return encode(photo, "JPEG", quality=80)


def _spotlight(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    """Ink on paper under a pool of light inside the picture: the paper far from the pool lit
    0.5 to 0.65 as brightly as in it, so the pool may shine as far above it as the ink falls."""
    size = 300
    ink = strokes(digit, int(rng.integers(150, 221)), angle=float(rng.uniform(-6, 6)))
    coverage = place((size, size), ink, rng, margin=12)  # (300, 300)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)  # (2, 300, 300)
    row, column = rng.uniform(0.35, 0.65, 2) * size  # the pool's centre
    pool = np.exp(-((ys - row) ** 2 + (xs - column) ** 2) / (2 * (0.2 * size) ** 2))
    light = 1 - rng.uniform(0.35, 0.5) * (1 - pool)  # (300, 300)
    paper, pen = float(rng.uniform(180, 225)), float(rng.uniform(20, 60))
    gray = (paper - np.clip(coverage, 0, 1) * (paper - pen)) * light  # (300, 300)
    return encode(camera(gray, float(rng.uniform(0.8, 1.4)), 4.0, rng), "JPEG", quality=80)


def _lined(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    pen = [20, 40, 140] if rng.random() < 0.5 else [25, 25, 30]  # blue or black ink
    return _paper_photo(digit, rng, [150, 180, 230], pen, grid=False)


def _graph(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    line = [150, 180, 230] if rng.random() < 0.5 else [170, 200, 170]
    pen = [20, 40, 140] if rng.random() < 0.5 else [110, 110, 115]  # blue ink or pencil
    return _paper_photo(digit, rng, line, pen, grid=True)


def _paper_photo(
    digit: np.ndarray, rng: np.random.Generator, line: list[int], pen: list[int], grid: bool
) -> bytes:
    """A digit on printed paper: rules every 18-29 px (and a red margin), or a grid."""
    size = 300
    ink = strokes(digit, int(rng.integers(120, 200)), angle=float(rng.uniform(-5, 5)))
    coverage = place((size, size), ink, rng, margin=15)[:, :, None]  # (300, 300, 1)
    paper = np.full((size, size, 3), 245.0, dtype=np.float32)  # (300, 300, 3)
    step = int(rng.integers(18, 30))
    offset = int(rng.integers(0, step))
    paper[offset::step] = line
    paper[offset + 1 :: step] = line  # rules 2 px thick
    if grid:
        paper[:, offset::step] = line
    else:
        paper[:, 40:42] = [230, 120, 120]  # the margin
    rgb = paper * (1 - coverage) + np.array(pen, dtype=np.float32) * coverage
    light = illumination(size, rng)[:, :, None]  # (300, 300, 1)
    return encode(camera(rgb * light, 1.0, 4.0, rng), "JPEG", quality=80)


def camera(values: np.ndarray, blur: float, noise: float, rng: np.random.Generator) -> Image.Image:
    """(H, W) or (H, W, 3) levels as an 8-bit image, blurred by `blur` px, with sensor noise."""
    image = _to_image(values).filter(ImageFilter.GaussianBlur(blur))
    noisy = np.asarray(image, dtype=np.float32) + noise * rng.standard_normal(
        values.shape, dtype=np.float32
    )
    return _to_image(noisy)


def _to_image(values: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(np.round(values), 0, 255).astype(np.uint8))


def illumination(size: int, rng: np.random.Generator) -> np.ndarray:
    """A linear light gradient in a random direction times a soft vignette, (size, size)."""
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / (size - 1) - 0.5  # (2, size, size)
    angle = rng.uniform(0, 2 * np.pi)
    gradient = 1 + rng.uniform(0.15, 0.3) * (np.cos(angle) * xs + np.sin(angle) * ys) * 2
    vignette = 1 - rng.uniform(0.1, 0.25) * (xs**2 + ys**2) * 2
    return (gradient * vignette * 0.95).astype(np.float32)
