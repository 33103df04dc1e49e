"""The Dockerfile's stages and instructions, parsed.

- `parse_dockerfile`: the stages (`FROM ... AS name`) and their instructions, with `\\`
  continuations joined and comment lines dropped.
- `Stage`: one stage's instructions, its CMD (exec form), LABELs and ENV values as written.
- `key_values`: the `KEY=VALUE` pairs of a LABEL or ENV instruction.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Instruction:
    keyword: str
    value: str
    line: int

    def flags_and_args(self) -> tuple[dict[str, str], list[str]]:
        """`COPY --from=builder a b` -> ({"from": "builder"}, ["a", "b"])."""
        words = json.loads(self.value) if self.value.startswith("[") else self.value.split()
        flags: dict[str, str] = {}
        while words and words[0].startswith("--"):
            name, _, value = words.pop(0)[2:].partition("=")
            flags[name] = value
        return flags, words


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [item for item in self.instructions if item.keyword == keyword]

    def cmd(self) -> list[str]:
        """The last CMD, which must be in exec (JSON) form."""
        commands = self.all("CMD")
        if not commands:
            raise ValueError("the stage has no CMD")
        argv = json.loads(commands[-1].value)
        if not (isinstance(argv, list) and all(isinstance(arg, str) for arg in argv)):
            raise ValueError(f"CMD is not a JSON list of strings: {commands[-1].value}")
        return argv

    def labels(self) -> dict[str, str]:
        return self._pairs("LABEL")

    def env(self) -> dict[str, str]:
        """The stage's ENV values as written (variables not expanded)."""
        return self._pairs("ENV")

    def _pairs(self, keyword: str) -> dict[str, str]:
        pairs: dict[str, str] = {}
        for item in self.all(keyword):
            pairs.update(key_values(item.value))
        return pairs


def parse_dockerfile(text: str) -> list[Stage]:
    stages: list[Stage] = []
    for number, line in _logical_lines(text):
        keyword, _, value = line.partition(" ")
        keyword, value = keyword.upper(), value.strip()
        if keyword == "FROM":
            words = value.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        elif not stages:
            raise ValueError(f"line {number}: {keyword} before the first FROM")
        else:
            stages[-1].instructions.append(Instruction(keyword, value, number))
    return stages


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Instructions with `\\` continuations joined; comment lines dropped, even inside one."""
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        start = start or number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        yield start, pending + stripped
        pending, start = "", 0
    if pending:
        yield start, pending


def key_values(value: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for word in shlex.split(value):
        key, sep, item = word.partition("=")
        if not sep:
            raise ValueError(f"only KEY=VALUE pairs are supported, not {value!r}")
        pairs[key] = item
    return pairs
