"""The Dockerfile's build, replayed on this machine.

- `replay_stage`: runs a stage's WORKDIR/ENV/COPY/RUN on this machine, with the image's own
  directories (/src, /app, the virtualenv) mapped into a temporary "root" folder (`Rootfs`).
- `replay_image`: assembles the Docker context, replays the build stages (RUN included), then
  the final stage: what `docker build` would do; `ReplayedImage` is the result.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.container.dockerfile import Instruction, Stage, key_values, parse_dockerfile
from tests.container.ignore_rules import candidate_files, copy_files, docker_context
from tests.container.paths import REPO_ROOT

# Variables of this machine that would make the replay differ from the image: another
# interpreter's settings. pip's own (index, wheelhouse, certificates) stay: they only say
# where packages come from.
HOST_ONLY_VARIABLES = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE")


# --------------------------------------------------------------------------- one stage


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
            venv = key_values(item.value).get("VIRTUAL_ENV", "")
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
            new = key_values(rootfs.host(item.value))
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
