"""Evaluate a saved model on the MNIST test files of a folder.

    python scripts/evaluate.py --model trained_cnn_model.npz --data-dir ../shared/data/mnist

Prints per-class precision and recall, the confusion matrix and, as the very last line,
`accuracy: 0.9934 (n=5000)`. Works on any MNIST-format folder, whatever its size.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from model_core.classifier import DigitClassifier
from model_core.data.mnist import load_mnist
from model_core.nn.serialization import ModelLoadError
from model_core.preprocessing import preprocess_array
from model_core.train.scores import confusion_matrix, format_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--model", type=Path, default=Path("trained_cnn_model.npz"), help="model .npz"
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="folder with t10k-* IDX files")
    parser.add_argument(
        "--through-preprocessing",
        action="store_true",
        help="send each test image through the upload preprocessing first, as the service does",
    )
    parser.add_argument(
        "--full-ensemble",
        action="store_true",
        help="every network of an ensemble reads every image (no cascade)",
    )
    args = parser.parse_args(argv)
    try:
        classifier = DigitClassifier.load(args.model, full_ensemble=args.full_ensemble)
        images, labels = load_mnist(args.data_dir, "test")
    except (ModelLoadError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.through_preprocessing:
        images = np.stack([preprocess_array(image).image for image in images])  # (N, 28, 28)
    predicted = classifier.probabilities(images).argmax(axis=1)  # (N,)
    print(f"model: {args.model} ({classifier.metadata.get('preset', 'unknown preset')})")
    print(format_report(confusion_matrix(labels, predicted)))
    print(f"accuracy: {np.mean(predicted == labels):.4f} (n={len(labels)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
