"""How the measurement tools print their figures: one JSON object, or a line each."""

from __future__ import annotations

import json
from collections.abc import Mapping


def print_figures(figures: Mapping[str, object], as_json: bool) -> None:
    """Print `figures` as one JSON object, or as `name: value` lines, the names aligned."""
    if as_json:
        print(json.dumps(figures))
        return
    width = max(map(len, figures), default=0)
    for name, value in figures.items():
        print(f"{name:>{width}}: {value}")
