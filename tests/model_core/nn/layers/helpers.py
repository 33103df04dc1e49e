"""Helpers shared by the layer tests: the float64 alias and nested-loop conv/pooling references."""

from __future__ import annotations

import numpy as np

F64 = np.float64
TOL = 1e-10


def out_len(size: int, k: int, s: int, p: int = 0) -> int:
    return (size + 2 * p - k) // s + 1


def _pad(x: np.ndarray, p: int) -> np.ndarray:
    n, h, w, c = x.shape
    xp = np.zeros((n, h + 2 * p, w + 2 * p, c))  # (N, H + 2p, W + 2p, C)
    xp[:, p : p + h, p : p + w, :] = x
    return xp


def conv_forward_loops(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, s: int, p: int
) -> np.ndarray:
    n, h, w, c_in = x.shape
    k, _, _, c_out = weight.shape
    xp = _pad(x, p)  # (N, H + 2p, W + 2p, C_in)
    ho, wo = out_len(h, k, s, p), out_len(w, k, s, p)
    out = np.zeros((n, ho, wo, c_out))  # (N, Ho, Wo, C_out)
    for b in range(n):
        for i in range(ho):
            for j in range(wo):
                for co in range(c_out):
                    total = bias[co]
                    for di in range(k):
                        for dj in range(k):
                            for ci in range(c_in):
                                total += xp[b, i * s + di, j * s + dj, ci] * weight[di, dj, ci, co]
                    out[b, i, j, co] = total
    return out


def conv_backward_loops(
    x: np.ndarray, weight: np.ndarray, dout: np.ndarray, s: int, p: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, h, w, c_in = x.shape
    k, _, _, c_out = weight.shape
    xp = _pad(x, p)  # (N, H + 2p, W + 2p, C_in)
    dxp = np.zeros_like(xp)  # (N, H + 2p, W + 2p, C_in)
    dw = np.zeros_like(weight)  # (k, k, C_in, C_out)
    db = np.zeros(c_out)  # (C_out,)
    _, ho, wo, _ = dout.shape
    for b in range(n):
        for i in range(ho):
            for j in range(wo):
                for co in range(c_out):
                    g = dout[b, i, j, co]
                    db[co] += g
                    for di in range(k):
                        for dj in range(k):
                            for ci in range(c_in):
                                r, c = i * s + di, j * s + dj
                                dw[di, dj, ci, co] += xp[b, r, c, ci] * g
                                dxp[b, r, c, ci] += weight[di, dj, ci, co] * g
    return dxp[:, p : p + h, p : p + w, :], dw, db


def pool_forward_backward_loops(
    x: np.ndarray, dout: np.ndarray, k: int, s: int, kind: str
) -> tuple[np.ndarray, np.ndarray]:
    """Max (gradient to the first maximum in row-major window order) or average pooling."""
    n, h, w, c = x.shape
    ho, wo = out_len(h, k, s), out_len(w, k, s)
    out = np.zeros((n, ho, wo, c))  # (N, Ho, Wo, C)
    dx = np.zeros_like(x)  # (N, H, W, C)
    for b in range(n):
        for i in range(ho):
            for j in range(wo):
                for ch in range(c):
                    if kind == "max":
                        best_r, best_c = i * s, j * s
                        for di in range(k):
                            for dj in range(k):
                                r, cc = i * s + di, j * s + dj
                                if x[b, r, cc, ch] > x[b, best_r, best_c, ch]:  # strict: first
                                    best_r, best_c = r, cc
                        out[b, i, j, ch] = x[b, best_r, best_c, ch]
                        dx[b, best_r, best_c, ch] += dout[b, i, j, ch]
                    else:
                        total = 0.0
                        for di in range(k):
                            for dj in range(k):
                                total += x[b, i * s + di, j * s + dj, ch]
                                dx[b, i * s + di, j * s + dj, ch] += dout[b, i, j, ch] / k**2
                        out[b, i, j, ch] = total / k**2
    return out, dx
