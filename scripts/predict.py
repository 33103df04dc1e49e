"""Read the digit in each image file, with the same preprocessing the service uses.

python scripts/predict.py digit.png photo.jpg [--model trained_cnn_model.npz] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from model_core.classifier import DigitClassifier
from model_core.nn.serialization import ModelLoadError
from model_core.preprocessing import PreprocessingError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("images", nargs="+", type=Path, help="image files (PNG, JPEG, GIF, ...)")
    parser.add_argument(
        "--model", type=Path, default=Path("trained_cnn_model.npz"), help="model .npz"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per image")
    args = parser.parse_args(argv)
    try:
        classifier = DigitClassifier.load(args.model)
    except ModelLoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failures = 0
    for path in args.images:
        try:
            prediction = classifier.predict(path)
        except (OSError, PreprocessingError) as exc:
            failures += 1
            print(f"{path}: error: {exc}", file=sys.stderr)
            continue
        if args.json:
            record = {"file": str(path), "digit": prediction.digit}
            record |= {
                "confidence": prediction.confidence,
                "probabilities": prediction.probabilities,
            }
            print(json.dumps(record))
        else:
            print(f"{path}: {prediction.digit} (confidence {prediction.confidence:.4f})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
