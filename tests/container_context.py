"""What the container build sees and does, computed without a Docker engine.

- `DockerIgnore` / `GcloudIgnore`: the matching rules of `.dockerignore` (moby/patternmatcher)
  and `.gcloudignore` (gcloud's gitignore-like rules), to list a build context exactly.
- `parse_dockerfile`: the Dockerfile's stages and instructions.
- `replay_stage`: runs a stage's WORKDIR/ENV/COPY/RUN on this machine, with the image's own
  directories (/src, /app, the virtualenv) mapped into a temporary "root" folder.
- `python -m tests.container_context`: the measurements quoted in docs/deployment.md.
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from PIL import Image, ImageDraw

from model_core.mnist import read_idx
from model_core.presets import DEFAULT_PRESET, build
from model_core.serialization import save_model

REPO_ROOT = Path(__file__).resolve().parents[1]
MODEL_FILE = "trained_cnn_model.npz"
MNIST_DIR = REPO_ROOT.parent / "shared" / "data" / "mnist"
# Variables of this machine that would make the replay differ from the image: another
# interpreter's settings. pip's own (index, wheelhouse, certificates) stay: they only say
# where packages come from.
HOST_ONLY_VARIABLES = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE")


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


# --------------------------------------------------------------------------- Dockerfile


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
            pairs.update(_key_values(item.value))
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


def _key_values(value: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for word in shlex.split(value):
        key, sep, item = word.partition("=")
        if not sep:
            raise ValueError(f"only KEY=VALUE pairs are supported, not {value!r}")
        pairs[key] = item
    return pairs


# --------------------------------------------------------------------------- replay


@dataclass
class Rootfs:
    """The image's own directories (/src, /app, the virtualenv), mapped under `root`."""

    root: Path
    image_dirs: tuple[str, ...]

    def host(self, text: str) -> str:
        if not self.image_dirs:
            return text
        names = "|".join(re.escape(item) for item in sorted(self.image_dirs, key=len)[::-1])
        return re.sub(rf"(?<![\w./-])({names})(?![\w.-])", lambda m: f"{self.root}{m[1]}", text)


def image_dirs(stages: list[Stage]) -> tuple[str, ...]:
    """Absolute WORKDIRs, absolute COPY targets and VIRTUAL_ENV: what the image itself creates."""
    found: set[str] = set()
    for stage in stages:
        found.update(item.value for item in stage.all("WORKDIR") if item.value.startswith("/"))
        for item in stage.all("COPY"):
            target = item.flags_and_args()[1][-1]
            if target.startswith("/"):
                found.add(target.rstrip("/"))
        for item in stage.all("ENV"):
            venv = _key_values(item.value).get("VIRTUAL_ENV", "")
            if venv.startswith("/"):
                found.add(venv.rstrip("/"))
    return tuple(sorted(found))


def base_environment() -> dict[str, str]:
    """This machine's environment as a python image's would be: no other interpreter's."""
    env = {key: value for key, value in os.environ.items() if key not in HOST_ONLY_VARIABLES}
    env["LANG"] = "C.UTF-8"  # as the python image sets it
    return env


def expand(value: str, env: dict[str, str]) -> str:
    """Dockerfile variable substitution: $VAR, ${VAR}, ${VAR:-default}."""

    def substitute(match: re.Match[str]) -> str:
        name = match["braced"] or match["plain"]
        return env.get(name) or (match["default"] or "")

    pattern = r"\$(?:\{(?P<braced>\w+)(?::-(?P<default>[^}]*))?\}|(?P<plain>\w+))"
    return re.sub(pattern, substitute, value)


@dataclass
class Replay:
    env: dict[str, str]
    workdir: Path


MissingSource = Callable[[str, Path], None]
REPLAY_IGNORED = {"LABEL", "EXPOSE", "USER", "HEALTHCHECK", "STOPSIGNAL", "CMD"}
USER_CREATION = {"groupadd", "useradd"}


@dataclass
class ReplayOptions:
    """run_commands: execute RUN (else only user creation is allowed, and skipped: it needs
    root and changes this machine). unset: variables the image sets that the replay drops
    (PIP_NO_CACHE_DIR: the same files get installed, from this machine's pip cache).
    on_missing(source, target): called for a COPY source absent from the context."""

    run_commands: bool = True
    unset: tuple[str, ...] = ()
    on_missing: MissingSource | None = None
    timeout: float = 600


def replay_stage(
    stage: Stage, context: Path, rootfs: Rootfs, env: dict[str, str], options: ReplayOptions
) -> Replay:
    """Apply WORKDIR, ENV, COPY and RUN to the mapped root folder.

    Any other instruction that would change the result (ARG, ADD, ENTRYPOINT, SHELL, ...) is
    refused, so that the replay never silently differs from a real build.
    """
    state = Replay(dict(env), rootfs.root)  # a stage starts in /
    rootfs.root.mkdir(parents=True, exist_ok=True)
    for item in stage.instructions:
        if item.keyword == "WORKDIR":
            state.workdir = Path(rootfs.host(expand(item.value, state.env)))
            state.workdir.mkdir(parents=True, exist_ok=True)
        elif item.keyword == "ENV":
            new = _key_values(rootfs.host(item.value))
            state.env.update({key: expand(value, state.env) for key, value in new.items()})
            for name in options.unset:
                state.env.pop(name, None)
        elif item.keyword == "COPY":
            _replay_copy(item, context, rootfs, state.workdir, options.on_missing)
        elif item.keyword == "RUN":
            _replay_run(item, rootfs, state, options)
        elif item.keyword not in REPLAY_IGNORED:
            raise NotImplementedError(f"line {item.line}: the replay does not model {item.keyword}")
    return state


def _replay_run(item: Instruction, rootfs: Rootfs, state: Replay, options: ReplayOptions) -> None:
    if options.run_commands:
        _run(rootfs.host(item.value), state, options.timeout)
        return
    programs = {part.split()[0] for part in item.value.split("&&") if part.strip()}
    if not programs <= USER_CREATION:
        raise NotImplementedError(
            f"line {item.line}: a runtime-stage RUN other than user creation is not replayed: "
            f"{item.value}"
        )


def _replay_copy(
    item: Instruction,
    context: Path,
    rootfs: Rootfs,
    workdir: Path,
    on_missing: MissingSource | None,
) -> None:
    flags, words = item.flags_and_args()
    *sources, target = words
    destination = Path(rootfs.host(target)) if target.startswith("/") else workdir / target
    for source in sources:
        origin = Path(rootfs.host(source)) if "from" in flags else context / source
        into = destination / Path(source).name if target.endswith("/") else destination
        if origin.is_dir():
            into = destination  # Docker copies a folder's contents, not the folder
            if origin.resolve() != into.resolve():
                shutil.copytree(origin, into, dirs_exist_ok=True)
        elif origin.is_file():
            into.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, into)
        elif on_missing is not None:
            on_missing(source, into)
        else:
            raise FileNotFoundError(f"line {item.line}: COPY source {source} not in the context")


def _run(command: str, state: Replay, timeout: float) -> None:
    result = subprocess.run(
        ["sh", "-c", command],
        cwd=state.workdir,
        env=state.env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"RUN failed ({result.returncode}): {command}\n{result.stdout[-4000:]}\n"
            f"{result.stderr[-4000:]}"
        )


# --------------------------------------------------------------------------- the service


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(argv: list[str], cwd: Path, env: dict[str, str], log_path: Path) -> Iterator[Service]:
    """Start argv in its own process group; whatever happens, no process outlives the block."""
    port = free_port()
    env = {**env, "PORT": str(port)}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield Service(process, f"http://127.0.0.1:{port}", log_path)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_ready(service: Service, timeout: float = 60) -> float:
    """Seconds until GET /health/ready answers 200 (the model is loaded)."""
    started, deadline = time.monotonic(), time.monotonic() + timeout
    with httpx.Client(trust_env=False, timeout=2) as client:
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise RuntimeError(
                    f"the service exited ({service.process.returncode}):\n{service.log()}"
                )
            try:
                if client.get(f"{service.base_url}/health/ready").status_code == 200:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise TimeoutError(f"/health/ready not 200 within {timeout} s:\n{service.log()}")


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """A memory figure of /proc/PID/status in KiB: VmRSS (resident now), VmHWM (peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise ValueError(f"no {field} for process {pid}")


def tree_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def site_packages(venv: Path) -> Path:
    return next(venv.glob("lib/python*/site-packages"))


# --------------------------------------------------------------------------- images to send


def digit_png(size: int = 280) -> tuple[bytes, int | None]:
    """A PNG of a digit at size x size: the first MNIST test image (a 7) if the data is here,
    else a 1 drawn with Pillow. Also the true digit (None for the drawing: no label to trust)."""
    images = MNIST_DIR / "t10k-images-idx3-ubyte.gz"
    if images.is_file():
        pixels, label = (
            read_idx(images)[0],
            int(read_idx(MNIST_DIR / "t10k-labels-idx1-ubyte.gz")[0]),
        )
        picture = Image.fromarray(pixels).resize((size, size), Image.Resampling.BILINEAR)
    else:
        picture, label = Image.new("L", (size, size), 0), None
        ImageDraw.Draw(picture).line(
            [(size // 2, size // 6), (size // 2, size * 5 // 6)], fill=255, width=size // 12
        )
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue(), label


def write_tiny_model(path: Path) -> None:
    """A randomly initialised `seed` network: a stand-in while no model is committed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save_model(path, build("seed", np.random.default_rng(0)), {"preset": "seed"})


# --------------------------------------------------------------------------- the whole image


@dataclass
class ReplayedImage:
    """The image rebuilt on this machine: its mapped root, final stage and start command."""

    root: Path
    runtime: Replay
    argv: list[str]

    @property
    def venv(self) -> Path:
        return Path(self.runtime.env["VIRTUAL_ENV"])


def replay_image(
    workspace: Path,
    on_missing: MissingSource | None = None,
    use_pip_cache: bool = True,
    timeout: float = 600,
) -> ReplayedImage:
    """Assemble the Docker context under workspace, run the build stages (RUN included), then
    the final stage (whose RUN only creates the user, skipped): what `docker build` would do."""
    stages = parse_dockerfile((REPO_ROOT / "Dockerfile").read_text())
    context = workspace / "context"
    copy_files(docker_context(candidate_files()), REPO_ROOT, context)
    rootfs = Rootfs(workspace / "rootfs", image_dirs(stages))
    env = base_environment()
    unset = ("PIP_NO_CACHE_DIR",) if use_pip_cache else ()
    for stage in stages[:-1]:
        replay_stage(stage, context, rootfs, env, ReplayOptions(unset=unset, timeout=timeout))
    final = ReplayOptions(run_commands=False, on_missing=on_missing)
    runtime = replay_stage(stages[-1], context, rootfs, env, final)
    return ReplayedImage(rootfs.root, runtime, stages[-1].cmd())


# --------------------------------------------------------------------------- measurements
# python -m tests.container_context [--cpu 0] [--predictions 200] [--clients 1,2,4,8]
# Run it as `taskset -c 1 python -m tests.container_context` so that the client threads do not
# compete with the server, pinned to CPU 0 (one vCPU, as Cloud Run's --cpu 1).


def photo_jpeg(side: int = 4000) -> bytes:
    """A side x side JPEG of a dark digit on paper: the largest image the service decodes
    (MAX_IMAGE_PIXELS, 16 MP by default), for the worst-case memory of one request."""
    picture = Image.new("L", (side, side), 235)
    ImageDraw.Draw(picture).line(
        [(side // 2, side // 5), (side // 2, side * 4 // 5)], fill=20, width=side // 15
    )
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _predict_latencies(base_url: str, image: bytes, count: int) -> list[float]:
    latencies = []
    with httpx.Client(trust_env=False, timeout=60) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.post(f"{base_url}/predict", files={"file": ("digit", image)})
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
    return latencies


def _summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "mean_ms": round(1000 * sum(ordered) / len(ordered), 1),
        "p50_ms": round(1000 * ordered[len(ordered) // 2], 1),
        "p95_ms": round(1000 * ordered[int(len(ordered) * 0.95)], 1),
    }


def _concurrent(base_url: str, image: bytes, clients: int, per_client: int) -> dict[str, float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        runs = list(
            pool.map(lambda _: _predict_latencies(base_url, image, per_client), range(clients))
        )
    elapsed = time.perf_counter() - started
    latencies = [value for run in runs for value in run]
    return {
        "clients": clients,
        "requests_per_s": round(len(latencies) / elapsed, 1),
        **_summary(latencies),
    }


def _mib(pid: int, field: str = "VmRSS") -> float:
    return round(rss_kib(pid, field) / 1024, 1)


def _measure_service(service: Service, predictions: int, levels: list[int]) -> dict[str, object]:
    pid, png = service.process.pid, digit_png()[0]
    result: dict[str, object] = {"startup_s": round(wait_ready(service), 2)}
    result["rss_ready_mib"] = _mib(pid)
    result["sequential_280px_png"] = _summary(
        _predict_latencies(service.base_url, png, predictions)
    )
    result["rss_after_sequential_mib"] = _mib(pid)
    result["concurrent_280px_png"] = [
        _concurrent(service.base_url, png, n, max(1, 160 // n)) for n in levels
    ]
    result["peak_rss_small_images_mib"] = _mib(pid, "VmHWM")
    photo = photo_jpeg()
    result["photo_16mp_jpeg"] = _summary(_predict_latencies(service.base_url, photo, 3))
    result["peak_rss_after_1_photo_mib"] = _mib(pid, "VmHWM")
    for clients in (4, 8):
        _concurrent(service.base_url, photo, clients, 1)
        result[f"peak_rss_after_{clients}_concurrent_photos_mib"] = _mib(pid, "VmHWM")
    result["rss_end_mib"] = _mib(pid)
    service.process.send_signal(signal.SIGTERM)
    result["exit_code"] = service.process.wait(timeout=15)
    return result


def measure(
    predictions: int, cpu: str | None, stand_in: str, levels: list[int]
) -> dict[str, object]:
    """Replay the image, start its CMD (pinned to `cpu` if given) and measure it."""
    committed = (REPO_ROOT / MODEL_FILE).is_file()

    def stand_in_model(source: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        save_model(target, build(stand_in, np.random.default_rng(0)), {"preset": stand_in})

    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        image = replay_image(workspace, on_missing=stand_in_model)
        argv = (["taskset", "-c", cpu] if cpu else []) + image.argv
        result: dict[str, object] = {
            "model": "committed" if committed else f"untrained {stand_in} stand-in",
            "server_cpus": cpu or "all",
            "site_packages_mib": round(tree_size(site_packages(image.venv)) / 2**20, 1),
        }
        env, log = image.runtime.env, workspace / "service.log"
        with running(argv, image.runtime.workdir, env, log) as service:
            result.update(_measure_service(service, predictions, levels))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="measure the Dockerfile's image, replayed here")
    parser.add_argument("--predictions", type=int, default=200, help="sequential /predict calls")
    parser.add_argument("--cpu", default="0", help="taskset CPU list for the server ('' = all)")
    parser.add_argument(
        "--stand-in",
        default=DEFAULT_PRESET,
        help="untrained preset served if no model is committed",
    )
    parser.add_argument("--clients", default="1,2,4,8", help="concurrent client counts")
    args = parser.parse_args()
    levels = [int(item) for item in args.clients.split(",") if item]
    result = measure(args.predictions, args.cpu or None, args.stand_in, levels)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
