"""Turn pixels of any Pillow mode or NumPy layout into one float32 grayscale array in [0, 1].

Transparency is resolved here (see `composite`): a drawing on a transparent canvas gets a
background that contrasts with its strokes, whatever colour the transparent pixels hold.
An opaque picture is read by its luma, unless its ink and paper differ in hue far more than in
luma (red on green, yellow on white): then by the colour channel that parts them most (see
`colour_channel`). The polarity of the result is left to the normaliser.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .blocks import reduce_image
from .errors import InvalidImageError

# Modes whose samples do not fit in 8 bits: read through NumPy so that nothing is clipped.
HIGH_DEPTH_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601-2, as Pillow
_OPAQUE = 0.5  # alpha above which a pixel counts as opaque content
_ONE_COLOUR = 0.5  # opaque pixels spanning less than this (5th-95th percentile) are one ink
_SAMPLES = 4096  # opaque pixels sampled to judge their colours
_WEAK_LUMA = 0.4  # luma's spread under this share of a channel's: read that channel instead
_PROBE_SIDE = 128  # the colour test reads a copy box-reduced to about this side


def image_to_gray(image: Image.Image) -> np.ndarray:
    """A decoded Pillow image of any mode -> (H, W) float32 grayscale in [0, 1], alpha resolved."""
    if image.mode in HIGH_DEPTH_MODES:
        return to_unit_range(np.asarray(image))  # (H, W)
    try:
        if image.has_transparency_data:
            rgba = image if image.mode == "RGBA" else image.convert("RGBA")
            alpha = rgba.getchannel("A")
            if alpha.getextrema() == (255, 255):  # opaque, as a canvas export usually is
                return _colour_gray(rgba)
            gray = _as_unit(rgba.convert("L"))  # (H, W) colour, alpha ignored
            return composite(gray, _as_unit(alpha))
        if image.mode == "L":
            return _as_unit(image)
        if image.mode == "1":
            return _as_unit(image.convert("L"))
        return _colour_gray(image)
    except ValueError as error:
        raise InvalidImageError(f"cannot read pixels of mode {image.mode!r}") from error


def array_to_gray(array: np.ndarray) -> tuple[np.ndarray, str]:
    """(H, W) or (H, W, 1|2|3|4) array of any numeric dtype -> ((H, W) gray in [0, 1], mode)."""
    if array.ndim == 2:
        return to_unit_range(array), "L"
    if array.ndim != 3 or array.shape[2] not in (1, 2, 3, 4):
        raise InvalidImageError(f"expected an (H, W) or (H, W, 1-4) array, got {array.shape}")
    unit = to_unit_range(array)  # (H, W, C)
    channels = unit.shape[2]
    if channels == 1:
        return unit[:, :, 0], "L"
    if channels == 2:
        return composite(unit[:, :, 0], unit[:, :, 1]), "LA"
    rgb = unit[:, :, :3]  # (H, W, 3)
    colour = rgb @ LUMA_WEIGHTS  # (H, W)
    opaque = channels == 3 or float(unit[:, :, 3].min()) >= 1.0
    if opaque and float(colour.max() - colour.min()) < _WEAK_LUMA:  # hue may part ink and paper
        factor = max(1, max(rgb.shape[:2]) // _PROBE_SIDE)
        probe = np.stack([reduce_image(band, factor) for band in np.moveaxis(rgb, 2, 0)], 2)
        channel = _hue_channel(probe)  # probe (h, w, 3), as Pillow's reduce would make it
        colour = colour if channel is None else np.ascontiguousarray(rgb[:, :, channel])
    if channels == 3:
        return colour, "RGB"
    return composite(colour, unit[:, :, -1]), "RGBA"


def colour_channel(channels: list[tuple[float, float]], luma: tuple[float, float]) -> int | None:
    """The channel (0, 1, 2 for R, G, B) to read instead of luma, given each one's and luma's
    (low, high) over the picture, or None to read luma.

    Black, blue, red or green ink on white paper stands off it in luma by 0.41 (pure green)
    to 1 (black) of its widest channel's gap; ink that differs from its paper mostly in hue
    stands off by less: yellow (0.11) or cyan (0.3) on white, red on a green of nearly its
    luma. Luma's spread under `_WEAK_LUMA` of a channel's means the channel with the widest
    spread shows the strokes that luma hides.
    """
    spreads = [high - low for low, high in channels]
    widest = int(np.argmax(spreads))
    return widest if luma[1] - luma[0] < _WEAK_LUMA * spreads[widest] else None


def _colour_gray(image: Image.Image) -> np.ndarray:
    """An opaque picture of any colour mode -> (H, W) luma, or its channel `colour_channel`
    picks. Only a picture whose luma spans under `_WEAK_LUMA` is tested (no channel spans
    more than 1), on a box-reduced copy, where noise averages out."""
    try:
        luma = image.convert("L")
    except ValueError:  # e.g. LAB converts to RGB only
        luma = image.convert("RGB").convert("L")
    gray = _as_unit(luma)  # (H, W)
    if float(gray.max() - gray.min()) >= _WEAK_LUMA:
        return gray
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    factor = max(1, max(rgb.size) // _PROBE_SIDE)
    probe = rgb.reduce(factor) if factor > 1 else rgb
    channel = _hue_channel(np.asarray(probe, dtype=np.float32) * np.float32(1 / 255))
    return gray if channel is None else _as_unit(rgb.getchannel(channel))


def _hue_channel(probe: np.ndarray) -> int | None:
    """`colour_channel` of (h, w, 3) colours in [0, 1]."""
    luma = probe @ LUMA_WEIGHTS  # (h, w)
    bands = [(float(band.min()), float(band.max())) for band in np.moveaxis(probe, 2, 0)]
    return colour_channel(bands, (float(luma.min()), float(luma.max())))


def to_unit_range(array: np.ndarray) -> np.ndarray:
    """Scale samples to float32 [0, 1] from their true range; non-finite samples become 0.

    uint8 uses 0..255. Other integer and float data, uint16 included, are read as [0, 1],
    0..255 or 0..65535 when they fit (a 16-bit file holding 8-bit values is an 8-bit picture),
    and are otherwise stretched from their own min..max.
    """
    if array.size == 0:
        raise InvalidImageError("the image has no pixels")
    if array.dtype == np.bool_:
        return array.astype(np.float32)
    if array.dtype == np.uint8:
        return array.astype(np.float32) * np.float32(1 / 255)
    if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise InvalidImageError(f"cannot read pixels of dtype {array.dtype}")
    values = np.nan_to_num(array.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    low, high = float(values.min()), float(values.max())
    if low == high:
        return np.zeros(values.shape, dtype=np.float32)  # uniform: no content to scale
    if low >= 0.0 and high <= 65535.0:
        scale = 1.0 if high <= 1.0 else 255.0 if high <= 255.0 else 65535.0
        return (values / scale).astype(np.float32)
    return ((values - low) / (high - low)).astype(np.float32)  # outside 0..65535: stretch


def composite(gray: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Composite (H, W) colour with (H, W) alpha in [0, 1] onto the page it was meant for.

    Strokes of one colour (a canvas drawing, its edges anti-aliased in alpha) get the
    contrasting background: white behind dark strokes, black behind light ones. Opaque
    content with its own contrast (edges anti-aliased in colour, or an opaque sheet) gets
    the colour found along its edge with the transparent area.
    """
    if float(alpha.min()) >= 1.0:
        return gray  # fully opaque: behaves exactly like the image without alpha
    step = max(1, alpha.size // _SAMPLES)
    sample = gray.ravel()[::step][alpha.ravel()[::step] > _OPAQUE]  # (K,) opaque colours
    if sample.size == 0:
        background = 1.0 if _weighted_mean(gray, alpha) < 0.5 else 0.0
    else:
        ranks = [sample.size // 20, sample.size // 2, sample.size * 19 // 20]
        low, middle, high = np.partition(sample, ranks)[ranks]
        if high - low < _ONE_COLOUR:
            background = 1.0 if middle < 0.5 else 0.0
        else:
            background = _edge_colour(gray, alpha > _OPAQUE, float(middle))
    canvas = gray - np.float32(background)  # (H, W)
    canvas *= alpha
    canvas += np.float32(background)
    return canvas


def _edge_colour(gray: np.ndarray, opaque: np.ndarray, fallback: float) -> float:
    """Median colour of the opaque pixels that touch the transparent area."""
    edge = gray[opaque & ~_interior(opaque)]  # (E,)
    return float(np.median(edge)) if edge.size else fallback


def _weighted_mean(gray: np.ndarray, alpha: np.ndarray) -> float:
    total = float(alpha.sum())
    return float((gray * alpha).sum()) / total if total > 0 else 0.0


def _interior(mask: np.ndarray) -> np.ndarray:
    """(H, W) pixels whose four neighbours are all in `mask` (outside counts as in)."""
    padded = np.pad(mask, 1, mode="edge")  # (H+2, W+2)
    return padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]


def _as_unit(image: Image.Image) -> np.ndarray:
    """An 8-bit single-band Pillow image -> (H, W) float32 in [0, 1]."""
    unit = np.asarray(image, dtype=np.float32)  # (H, W) a new array
    unit *= np.float32(1 / 255)
    return unit
