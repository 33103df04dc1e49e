"""Sliding windows over channels-last images: im2col through strided views, and its adjoint."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided


def out_size(size: int, kernel: int, stride: int, padding: int = 0) -> int:
    """Output length of a window sweep along one spatial axis."""
    return (size + 2 * padding - kernel) // stride + 1


def pad_hw(x: np.ndarray, padding: int) -> np.ndarray:
    """Zero-pad the two spatial axes of a (N, H, W, C) array."""
    if padding == 0:
        return x
    n, h, w, c = x.shape
    out = np.zeros((n, h + 2 * padding, w + 2 * padding, c), dtype=x.dtype)
    out[:, padding : padding + h, padding : padding + w, :] = x
    return out


def window_view(xp: np.ndarray, kernel: int, stride: int) -> np.ndarray:
    """A read-only (N, Ho, Wo, k, k, C) view of every k x k window of a padded (N, H, W, C).

    A contiguous array (the usual case) is viewed through the ndarray constructor, which
    costs a microsecond where as_strided costs about ten: at batch 1 that is a tenth of a
    small convolution."""
    n, h, w, c = xp.shape
    ho, wo = out_size(h, kernel, stride), out_size(w, kernel, stride)
    sn, sh, sw, sc = xp.strides
    shape = (n, ho, wo, kernel, kernel, c)
    strides = (sn, sh * stride, sw * stride, sh, sw, sc)
    if not xp.flags.c_contiguous:
        return as_strided(xp, shape=shape, strides=strides, writeable=False)
    view = np.ndarray(shape, xp.dtype, buffer=xp, strides=strides)
    view.flags.writeable = False
    return view


def im2col(x: np.ndarray, kernel: int, stride: int, padding: int) -> np.ndarray:
    """Every window of a (N, H, W, C) array as one row: (N*Ho*Wo, k*k*C), columns (k, k, C).

    With a single channel the windows are copied kernel offset first, into a (k*k, N*Ho*Wo)
    array returned transposed (Fortran order): long contiguous runs instead of rows of k
    floats, in one copy. BLAS reads either layout directly.
    """
    xp = pad_hw(x, padding)
    windows = window_view(xp, kernel, stride)  # (N, Ho, Wo, k, k, C)
    n, ho, wo, _, _, c = windows.shape
    if c == 1:
        offsets_first = windows[..., 0].transpose(3, 4, 0, 1, 2)  # (k, k, N, Ho, Wo) view
        cols = np.ascontiguousarray(offsets_first)  # (k, k, N, Ho, Wo)
        return cols.reshape(kernel * kernel, -1).T  # (N*Ho*Wo, k*k) in Fortran order
    return np.ascontiguousarray(windows).reshape(n * ho * wo, -1)  # (N*Ho*Wo, k*k*C)


def col2im(
    dcols: np.ndarray, x_shape: tuple[int, ...], kernel: int, stride: int, padding: int
) -> np.ndarray:
    """The adjoint of im2col: sum (N*Ho*Wo, k*k*C) window gradients onto the (N, H, W, C) input.

    The loop runs over the k * k kernel offsets, each one a strided add over the whole batch.
    """
    n, h, w, c = x_shape
    ho, wo = out_size(h, kernel, stride, padding), out_size(w, kernel, stride, padding)
    dcols = dcols.reshape(n, ho, wo, kernel, kernel, c)  # (N, Ho, Wo, k, k, C)
    dxp = np.zeros((n, h + 2 * padding, w + 2 * padding, c), dtype=dcols.dtype)
    for i in range(kernel):
        for j in range(kernel):
            dxp[:, i : i + stride * ho : stride, j : j + stride * wo : stride, :] += dcols[
                :, :, :, i, j, :
            ]
    if padding == 0:
        return dxp
    return dxp[:, padding : padding + h, padding : padding + w, :]
