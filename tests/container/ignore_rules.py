"""Which files the build sees: `.dockerignore` and `.gcloudignore`, as Docker and gcloud read them.

- `DockerIgnore` / `GcloudIgnore`: the matching rules of `.dockerignore` (moby/patternmatcher)
  and `.gcloudignore` (gcloud's gitignore-like rules), to list a build context exactly.
- `candidate_files`: the files a clean clone would have (the input of both lists);
  `docker_context` / `gcloud_upload`: what `docker build` and Cloud Build would receive;
  `copy_files`: assemble such a list in a folder.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.container.paths import REPO_ROOT

# --------------------------------------------------------------------------- .dockerignore


@dataclass(frozen=True)
class _DockerRule:
    regex: re.Pattern[str]
    negated: bool


class DockerIgnore:
    """`.dockerignore` as BuildKit applies it (moby/patternmatcher, MatchesOrParentMatches).

    Patterns are relative to the context root (a leading `/` is dropped), `*` and `?` stay
    within one path segment, `**` spans any number of them, a pattern that matches a folder
    leaves out all below it, `!` lets back in, and the last matching line wins.
    """

    def __init__(self, text: str) -> None:
        self.rules = [_docker_rule(line) for line in _docker_lines(text)]

    def excludes(self, path: str) -> bool:
        matched = False
        candidates = _with_parents(path)
        for rule in self.rules:
            if rule.negated != matched:  # only an exclusion can undo a match, and vice versa
                continue
            if any(rule.regex.match(candidate) for candidate in candidates):
                matched = not rule.negated
        return matched


def _docker_lines(text: str) -> Iterator[str]:
    for raw in text.removeprefix("\ufeff").splitlines():
        if raw.startswith("#"):
            continue
        line = raw.strip()
        if line:
            yield line


def _docker_rule(line: str) -> _DockerRule:
    negated = line.startswith("!")
    pattern = os.path.normpath(line[1:].strip() if negated else line)
    if len(pattern) > 1 and pattern.startswith("/"):
        pattern = pattern.lstrip("/")
    return _DockerRule(re.compile(_docker_regex(pattern)), negated)


def _docker_regex(pattern: str) -> str:
    """patternmatcher's Pattern.compile, for `/` as the separator."""
    out, i = ["^"], 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            i += 3 if pattern.startswith("**/", i) else 2
            out.append(".*" if i >= len(pattern) else "(.*/)?")
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append("\\" + pattern[i])
        elif char in ".+()|{}$":  # regexp-only characters, escaped as patternmatcher does
            out.append("\\" + char)
        else:  # literal, or part of a [class] (passed through as patternmatcher does)
            out.append(char)
        i += 1
    return "".join(out) + "$"


def _with_parents(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


# --------------------------------------------------------------------------- .gcloudignore


@dataclass(frozen=True)
class _GcloudPattern:
    parts: tuple[str, ...]
    negated: bool
    must_be_dir: bool

    def verdict(self, path: str, is_dir: bool) -> bool | None:
        """True: ignore, False: include (a `!` pattern), None: no match."""
        if self.must_be_dir and not is_dir:
            return None
        if _gcloud_matches(list(self.parts), path):
            return not self.negated
        return None


class GcloudIgnore:
    """`.gcloudignore` as gcloud reads it (googlecloudsdk/command_lib/util/gcloudignore.py).

    gitignore-like: `/x` is anchored at the root, `x` (even `a/x`) matches at any depth from
    the right, `x/` only folders, `**` any depth, `!` lets back in, the last matching line
    wins, and nothing below a left-out folder can be let back in. `#!include:FILE` directives
    are followed one level deep, as gcloud does.
    """

    def __init__(self, text: str, directory: Path | None = None, recurse: int = 1) -> None:
        self.patterns = list(_gcloud_patterns(text, directory, recurse))

    def includes(self, path: str, is_dir: bool = False) -> bool:
        prefixes = _gcloud_prefixes(path)
        state: dict[str, bool | None] = dict.fromkeys(prefixes)
        for pattern in self.patterns:
            parent: bool | None = None
            for prefix in prefixes:
                if parent is not None:
                    verdict: bool | None = parent
                else:
                    verdict = pattern.verdict(prefix, prefix != path or is_dir)
                if verdict is not None:
                    state[prefix] = verdict
                parent = True if state[prefix] else verdict
        return state[path] is not True


def _gcloud_patterns(text: str, directory: Path | None, recurse: int) -> Iterator[_GcloudPattern]:
    for line in text.splitlines():
        if line.startswith("#"):
            directive = line[1:].lstrip()
            if directive.startswith("!include:") and recurse and directory is not None:
                included = directory / directive.removeprefix("!include:")
                yield from _gcloud_patterns(included.read_text(), directory, recurse - 1)
            continue
        stripped = re.sub(r"(?<!\\) +$", "", line)
        if stripped and not stripped.endswith("\\"):
            yield _gcloud_pattern(stripped)


def _gcloud_pattern(line: str) -> _GcloudPattern:
    negated = line.startswith("!")
    line = line[1:] if negated else line
    must_be_dir = line.endswith("/")
    line = line[:-1] if must_be_dir else line
    line = re.sub(r"\\(.)", r"\1", line.replace("\\ ", " "))
    return _GcloudPattern(tuple(line.split("/")), negated, must_be_dir)


def _gcloud_matches(parts: list[str], path: str | None) -> bool:
    """gcloud's Pattern._MatchesHelper: the pattern's parts against the path, right to left."""
    if not parts:
        return True
    if path is None:
        return False
    *rest, last = parts
    if path:
        path = os.path.normpath(path)
    remaining, name = os.path.split(path)
    remaining_path: str | None = remaining if name else None
    if last == "**":
        if not (rest and rest[0] == ""):
            rest.insert(0, "")
        return any(_gcloud_matches(list(rest), prefix) for prefix in _gcloud_prefixes(path))
    if not fnmatch.fnmatchcase(name, last):
        return False
    return _gcloud_matches(rest, remaining_path)


def _gcloud_prefixes(path: str) -> list[str]:
    """'a/b/c' -> ['', 'a', 'a/b', 'a/b/c'] (gcloud's _GetPathPrefixes)."""
    prefixes = [path]
    head, tail = path, "x"
    while head and tail:
        head, tail = os.path.split(head)
        prefixes.insert(0, head)
    return prefixes


# --------------------------------------------------------------------------- build context


def candidate_files(root: Path = REPO_ROOT) -> list[str]:
    """Files a clean clone would have, plus new files not ignored by git: the context input."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout.decode()
    paths = {path for path in listing.split("\0") if path}
    return sorted(path for path in paths if (root / path).is_file())


def docker_context(files: Iterable[str], root: Path = REPO_ROOT) -> list[str]:
    rules = DockerIgnore((root / ".dockerignore").read_text())
    return [path for path in files if not rules.excludes(path)]


def gcloud_upload(files: Iterable[str], root: Path = REPO_ROOT) -> list[str]:
    rules = GcloudIgnore((root / ".gcloudignore").read_text(), root)
    return [path for path in files if rules.includes(path)]


def copy_files(files: Iterable[str], source: Path, target: Path) -> None:
    for path in files:
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / path, target / path)
