"""Draw PNG figures of a trained model: training curves, confusion matrix, first-layer
filters, feature maps for one sample, and a grid of test predictions (mistakes in red).

    python scripts/visualize.py --data-dir ../shared/data/mnist --out docs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
import numpy as np

from model_core.classifier import DigitClassifier
from model_core.data.mnist import load_mnist
from model_core.nn.ensemble import members_of
from model_core.nn.layers import Conv2D
from model_core.preprocessing import to_model_input
from model_core.train.scores import confusion_matrix


def plot_curves(history: list[dict[str, float]], path: Path) -> None:
    history = [h for h in history if h.get("member", 0) == 0]  # an ensemble's first network
    epochs = [h["epoch"] for h in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for key, label in (("train", "train (augmented)"), ("val", "validation")):
        ax_loss.plot(epochs, [h[f"{key}_loss"] for h in history], marker="o", label=label)
        ax_acc.plot(epochs, [h[f"{key}_acc"] for h in history], marker="o", label=label)
    ax_loss.set(title="Loss", xlabel="epoch", ylabel="cross-entropy")
    ax_acc.set(title="Accuracy", xlabel="epoch", ylabel="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_confusion(matrix: np.ndarray, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    ax.imshow(np.log1p(matrix), cmap="Blues")
    for (row, col), count in np.ndenumerate(matrix):
        color = "white" if row == col else ("crimson" if count else "lightgray")
        ax.text(col, row, str(count), ha="center", va="center", fontsize=8, color=color)
    accuracy = np.trace(matrix) / matrix.sum()
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true")
    ax.set_title(f"Confusion matrix, test accuracy {accuracy:.4f} (n={matrix.sum()})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_filters(conv: Conv2D, path: Path) -> None:
    weights = conv.params["weight"][:, :, 0, :]  # (k, k, F) of the first input channel
    count = weights.shape[-1]
    cols = min(count, 8)
    rows = -(-count // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.2, rows * 1.2))
    limit = np.abs(weights).max()
    for i, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.axis("off")
        if i < count:
            ax.imshow(weights[:, :, i], cmap="RdBu_r", vmin=-limit, vmax=limit)
    fig.suptitle(f"First-layer filters ({count} of {conv.kernel_size}x{conv.kernel_size})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_feature_maps(classifier: DigitClassifier, image: np.ndarray, path: Path) -> None:
    """The input and the output of each layer up to the first flatten, 8 channels each."""
    x = to_model_input(image, classifier.deskew)  # (1, 28, 28, 1)
    stages = [("input", x)]
    for layer in members_of(classifier.network)[0].layers:
        if x.ndim != 4:
            break
        x = layer.forward(x)
        stages.append((type(layer).__name__, x))
    stages = [stages[0], *[s for s in stages[1:] if s[0] in ("ReLU", "MaxPool2D")][:4]]
    fig, axes = plt.subplots(len(stages), 8, figsize=(10, 1.4 * len(stages)))
    for row, (name, maps) in zip(axes, stages, strict=True):
        for c, ax in enumerate(row):
            ax.axis("off")
            if c < maps.shape[-1]:
                ax.imshow(maps[0, :, :, c], cmap="magma")
        row[0].set_title(
            f"{name} {maps.shape[1]}x{maps.shape[2]}x{maps.shape[3]}", loc="left", fontsize=9
        )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_predictions(images: np.ndarray, labels: np.ndarray, probs: np.ndarray, path: Path) -> None:
    """Mistakes first (red), then correct predictions, 8 x 6 thumbnails."""
    predicted = probs.argmax(axis=1)
    wrong, right = np.flatnonzero(predicted != labels), np.flatnonzero(predicted == labels)
    chosen = np.concatenate([wrong[:24], right[: 48 - min(len(wrong), 24)]])
    fig, axes = plt.subplots(6, 8, figsize=(10, 8))
    for ax, index in zip(axes.ravel(), chosen, strict=False):
        ok = predicted[index] == labels[index]
        ax.imshow(images[index], cmap="gray")
        ax.set_title(
            f"{predicted[index]} ({probs[index].max():.2f})"
            + ("" if ok else f" true {labels[index]}"),
            fontsize=8,
            color="black" if ok else "crimson",
        )
        ax.axis("off")
    for ax in axes.ravel()[len(chosen) :]:
        ax.axis("off")
    fig.suptitle(
        f"Test predictions: {len(wrong)} mistakes of {len(labels)} (mistakes first, in red)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--model", type=Path, default=Path("trained_cnn_model.npz"), help="model .npz"
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="folder with t10k-* IDX files")
    parser.add_argument("--out", type=Path, default=Path("docs"), help="folder for the PNG files")
    args = parser.parse_args(argv)
    classifier = DigitClassifier.load(args.model)
    images, labels = load_mnist(args.data_dir, "test")
    probs = classifier.probabilities(images)  # (N, 10)
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    if history := classifier.metadata.get("history"):
        plot_curves(history, args.out / "training_curves.png")
        written.append("training_curves.png")
    plot_confusion(
        confusion_matrix(labels, probs.argmax(axis=1)), args.out / "confusion_matrix.png"
    )
    first = members_of(classifier.network)[0]  # an ensemble's first network
    convs = [layer for layer in first.layers if isinstance(layer, Conv2D)]
    if convs:
        plot_filters(convs[0], args.out / "filters.png")
        written.append("filters.png")
    plot_feature_maps(classifier, images[0], args.out / "feature_maps.png")
    plot_predictions(images, labels, probs, args.out / "predictions.png")
    written += ["confusion_matrix.png", "feature_maps.png", "predictions.png"]
    print("wrote " + ", ".join(str(args.out / name) for name in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
