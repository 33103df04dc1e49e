"""Read the digit in each image file, with the same preprocessing the service uses; with
--number, the number (a line of digits) in each, and each digit's box.

python scripts/predict.py digit.png photo.jpg [--model trained_cnn_model.npz] [--json]
python scripts/predict.py --number meter.jpg [--max-digits 20] [--verifier FILE] [--json]

With --number, the verifier (trained_verifier_model.npz, if there) lets touching digits be cut
apart, and the sequence reader (trained_sequence_model.npz, if there) reads them whole;
--verifier "" reads each blob of ink whole, --sequence-reader "" cuts only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from model_core.classifier import DigitClassifier
from model_core.nn.serialization import ModelLoadError
from model_core.number import DEFAULT_MAX_DIGITS, NumberReading
from model_core.preprocessing import PreprocessingError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("images", nargs="+", type=Path, help="image files (PNG, JPEG, GIF, ...)")
    parser.add_argument(
        "--model", type=Path, default=Path("trained_cnn_model.npz"), help="model .npz"
    )
    parser.add_argument(
        "--verifier",
        type=Path,
        default=Path("trained_verifier_model.npz"),
        help='number verifier .npz, used when the file exists ("" for none)',
    )
    parser.add_argument(
        "--sequence-reader",
        type=Path,
        default=Path("trained_sequence_model.npz"),
        help='sequence reader .npz, used when the file exists ("" for none)',
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per image")
    parser.add_argument(
        "--full-ensemble",
        action="store_true",
        help="every network of an ensemble reads every image (no cascade)",
    )
    parser.add_argument(
        "--number", action="store_true", help="read a number (a line of digits) in each image"
    )
    parser.add_argument(
        "--max-digits",
        type=int,
        default=DEFAULT_MAX_DIGITS,
        help=f"with --number: most digits read (default {DEFAULT_MAX_DIGITS})",
    )
    args = parser.parse_args(argv)
    if args.max_digits < 1:
        parser.error("--max-digits must be at least 1")
    try:
        verifier = args.verifier if args.number and args.verifier.is_file() else None
        reader = args.sequence_reader if args.number and args.sequence_reader.is_file() else None
        classifier = DigitClassifier.load(args.model, verifier, args.full_ensemble, reader)
    except ModelLoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failures = 0
    for path in args.images:
        try:
            if args.number:
                reading = classifier.read_number(path, max_digits=args.max_digits).reading
            else:
                prediction = classifier.predict(path)
        except (OSError, PreprocessingError) as exc:
            failures += 1
            print(f"{path}: error: {exc}", file=sys.stderr)
            continue
        if args.number:
            print(number_json(path, reading) if args.json else number_text(path, reading))
        elif args.json:
            record = {"file": str(path), "digit": prediction.digit}
            record |= {
                "confidence": prediction.confidence,
                "probabilities": prediction.probabilities,
            }
            print(json.dumps(record))
        else:
            print(f"{path}: {prediction.digit} (confidence {prediction.confidence:.4f})")
    return 1 if failures else 0


def number_text(path: Path, reading: NumberReading) -> str:
    """The number and its confidence, then one line per digit with its box."""
    lines = [f"{path}: {reading.number} (confidence {reading.confidence:.4f})"]
    for digit in reading.digits:
        left, top, right, bottom = digit.box
        lines.append(
            f"  {digit.digit} (confidence {digit.confidence:.4f})"
            f" box left {left}, top {top}, right {right}, bottom {bottom}"
        )
    return "\n".join(lines)


def number_json(path: Path, reading: NumberReading) -> str:
    """One JSON object: the number, its confidence and each digit as /predict/number gives it."""
    digits = [
        {
            "digit": digit.digit,
            "confidence": digit.confidence,
            "probabilities": digit.probabilities,
            "box": list(digit.box),
        }
        for digit in reading.digits
    ]
    record = {"file": str(path), "number": reading.number, "confidence": reading.confidence}
    return json.dumps(record | {"digits": digits})


if __name__ == "__main__":
    sys.exit(main())
