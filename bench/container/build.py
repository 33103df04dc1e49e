"""The Dockerfile's build, read with maintained parsers and replayed without a Docker engine.

- `stages`: the Dockerfile's instructions per stage (dockerfile-parse), each `Step` with the
  ENV values in effect after it;
- `docker_context`: the files `docker build` sends of a folder (docker-py's `exclude_paths`,
  with .dockerignore read as docker-py reads it); `gcloud_upload`: what gcloud uploads to
  Cloud Build (.gcloudignore, gitignore syntax, by pathspec); `candidate_files`: what a clean
  clone has;
- `replay_image`: the build stages' COPY/RUN run on this machine, the image's own folders
  (/src, /app, the virtualenv) mapped into a temporary root, then the final stage's
  ENV/WORKDIR/COPY: what `docker build` would produce (`ReplayedImage`);
- `shipped_command`: the final stage's ENV and CMD pointed at this checkout instead (its
  virtualenv, its model and verifier), no build: what bench/loadtest.py --shipped starts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from docker.utils.build import exclude_paths
from dockerfile_parse import DockerfileParser
from pathspec import GitIgnoreSpec

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO_ROOT / "Dockerfile"
MODEL_FILE = "trained_cnn_model.npz"
VERIFIER_FILE = "trained_verifier_model.npz"  # the number verifier, served beside the model
SEQUENCE_READER_FILE = "trained_sequence_model.npz"  # reads touching digits whole
# This machine's variables that would make the replay differ from the image: another
# interpreter's settings. pip's own (index, certificates) stay: they only say where from.
HOST_ONLY_VARIABLES = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE")
# Instructions that only set the image's metadata (ENV is applied through `Step.env`).
METADATA = {"ENV", "LABEL", "EXPOSE", "USER", "HEALTHCHECK", "STOPSIGNAL", "CMD"}
USER_CREATION = {"groupadd", "useradd"}


# --------------------------------------------------------------------------- the Dockerfile


@dataclass(frozen=True)
class Step:
    """One instruction: keyword, value as written (continuations joined), ENV after it."""

    instruction: str
    value: str
    env: dict[str, str]
    line: int

    def flags_and_args(self) -> tuple[list[str], list[str]]:
        """`COPY --from=builder a b` -> (["--from=builder"], ["a", "b"])."""
        words = json.loads(self.value) if self.value.startswith("[") else self.value.split()
        flags = [word for word in words if word.startswith("--")]
        return flags, words[len(flags) :]


def dockerfile(path: Path = DOCKERFILE, env: dict[str, str] | None = None) -> DockerfileParser:
    """The Dockerfile parsed; `env` is the base image's environment ($VAR in ENV values)."""
    return DockerfileParser(str(path), parent_env=env or {})


def stages(parser: DockerfileParser) -> list[list[Step]]:
    """Each stage's instructions, FROM and comments left out."""
    found: list[list[Step]] = []
    for item, context in zip(parser.structure, parser.context_structure, strict=True):
        keyword = item["instruction"]
        if keyword == "FROM":
            found.append([])
        elif keyword != "COMMENT":
            if not found:
                raise ValueError(f"line {item['startline'] + 1}: {keyword} before FROM")
            step = Step(keyword, item["value"], context.envs, item["startline"] + 1)
            found[-1].append(step)
    return found


def values(stage: list[Step], instruction: str) -> list[str]:
    return [step.value for step in stage if step.instruction == instruction]


# --------------------------------------------------------------------------- the build context


def candidate_files(root: Path = REPO_ROOT) -> set[str]:
    """Files a clean clone would have, plus new files git does not ignore."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout.decode()
    return {path for path in listing.split("\0") if path and (root / path).is_file()}


def dockerignore_patterns(root: Path) -> list[str]:
    """root/.dockerignore's patterns, read as docker-py's `APIClient.build` reads them."""
    path = root / ".dockerignore"
    lines = [line.strip() for line in path.read_text().splitlines()] if path.is_file() else []
    return [line for line in lines if line and not line.startswith("#")]


def docker_context(root: Path) -> set[str]:
    """The files of `root` that `docker build root` sends (exclude_paths lists folders too)."""
    kept = exclude_paths(str(root), dockerignore_patterns(root))
    return {path for path in kept if (root / path).is_file()}


def gcloud_upload(root: Path, files: set[str]) -> set[str]:
    """Which of `files` gcloud uploads to Cloud Build: root/.gcloudignore, gitignore syntax."""
    lines = (root / ".gcloudignore").read_text().splitlines()
    if any(line.startswith("#!include:") for line in lines):
        raise NotImplementedError(".gcloudignore: pathspec does not follow #!include: lines")
    spec = GitIgnoreSpec.from_lines(lines)
    return {path for path in files if not spec.match_file(path)}


# --------------------------------------------------------------------------- the replay


@dataclass
class ReplayedImage:
    """The image rebuilt on this machine: its mapped root, final environment and command."""

    root: Path
    env: dict[str, str]
    workdir: Path
    argv: list[str]

    @property
    def site_packages(self) -> Path:
        return next(Path(self.env["VIRTUAL_ENV"]).glob("lib/python*/site-packages"))


def replay_image(
    workspace: Path,
    use_pip_cache: bool = True,
    timeout: float = 600,
    stand_ins: dict[str, Path] | None = None,
) -> ReplayedImage:
    """Assemble the context of a clean clone, run the build stages (RUN included), then the
    final stage (whose RUN may only create the user, skipped: it needs root). `stand_ins`:
    context files this checkout lacks, taken from elsewhere (a test's stand-in for a file not
    committed yet); a file the checkout has is never replaced."""
    root = workspace / "rootfs"
    mapped = workspace / "Dockerfile"
    mapped.write_text(_map_image_dirs(DOCKERFILE.read_text(), root))
    parser = dockerfile(mapped, base_environment())
    context = workspace / "context"
    for path in docker_context(REPO_ROOT) & candidate_files():
        (context / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / path, context / path)
    for path, origin in (stand_ins or {}).items():
        if not (context / path).exists():
            (context / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, context / path)
    unset = {"PIP_NO_CACHE_DIR"} if use_pip_cache else set()  # the same files, from pip's cache
    *build_stages, final = stages(parser)
    for stage in build_stages:
        _replay_stage(stage, context, root, run_commands=True, unset=unset, timeout=timeout)
    workdir = _replay_stage(final, context, root, run_commands=False, unset=set(), timeout=0)
    return ReplayedImage(root, final[-1].env, workdir, json.loads(parser.cmd))


def shipped_command(
    model: Path,
    port: int,
    python_prefix: Path | None = None,
    verifier: Path | None = None,
    root: Path = REPO_ROOT,
) -> tuple[list[str], dict[str, str]]:
    """The image's CMD and environment (its final stage's ENV over this machine's), run from
    the checkout `root` (this one by default; an earlier commit's tree for bench.baseline):
    the image's virtualenv is this interpreter's (`python_prefix`, default sys.prefix),
    MODEL_PATH is `model`, VERIFIER_PATH `verifier` (default: the checkout's committed
    verifier, else empty: none), SEQUENCE_READER_PATH the checkout's committed reader (else
    empty), PORT is `port`. Run it with `root` as the working directory."""
    import sys

    parser = dockerfile(root / "Dockerfile", env=base_environment())
    final = stages(parser)[-1]
    env = dict(final[-1].env)
    image_venv = env.get("VIRTUAL_ENV")
    if image_venv:
        here = str(python_prefix or Path(sys.prefix))
        env = {key: value.replace(image_venv, here) for key, value in env.items()}
    if verifier is None and (root / VERIFIER_FILE).is_file():
        verifier = root / VERIFIER_FILE
    reader = root / SEQUENCE_READER_FILE
    paths = {
        "MODEL_PATH": str(model),
        "VERIFIER_PATH": str(verifier or ""),
        "SEQUENCE_READER_PATH": str(reader) if reader.is_file() else "",
    }
    return json.loads(parser.cmd), {**env, **paths, "PORT": str(port)}


def base_environment() -> dict[str, str]:
    """This machine's environment as a python image's would be: no other interpreter's."""
    env = {key: value for key, value in os.environ.items() if key not in HOST_ONLY_VARIABLES}
    return {**env, "LANG": "C.UTF-8"}  # as the python image sets it


def _map_image_dirs(text: str, root: Path) -> str:
    """The Dockerfile with the folders the image creates (absolute WORKDIRs and COPY targets,
    VIRTUAL_ENV) moved under `root`."""
    found: set[str] = set()
    for step in (step for stage in stages(dockerfile()) for step in stage):
        if step.instruction in ("WORKDIR", "COPY"):
            found.add(step.flags_and_args()[1][-1])
        found.add(step.env.get("VIRTUAL_ENV", ""))
    names = "|".join(re.escape(item.rstrip("/")) for item in found if item.startswith("/"))
    return re.sub(rf"(?<![\w./-])({names})(?![\w.-])", lambda m: f"{root}{m[1]}", text)


def _replay_stage(
    stage: list[Step],
    context: Path,
    root: Path,
    run_commands: bool,
    unset: set[str],
    timeout: float,
) -> Path:
    """WORKDIR, COPY and RUN applied under `root`; its final WORKDIR. Any other instruction
    that would change the result (ARG, ADD, SHELL, ...) is refused: never a silent difference."""
    workdir = root
    root.mkdir(parents=True, exist_ok=True)
    for step in stage:
        if step.instruction == "WORKDIR":
            workdir = workdir / step.value  # an absolute (mapped) path replaces it
            workdir.mkdir(parents=True, exist_ok=True)
        elif step.instruction == "COPY":
            _copy(step, context, workdir)
        elif step.instruction == "RUN" and run_commands:
            env = {key: value for key, value in step.env.items() if key not in unset}
            _run(step.value, workdir, env, timeout)
        elif step.instruction == "RUN":
            programs = {part.split()[0] for part in step.value.split("&&") if part.strip()}
            if not programs <= USER_CREATION:
                raise NotImplementedError(f"line {step.line}: final-stage RUN {step.value}")
        elif step.instruction not in METADATA:
            raise NotImplementedError(f"line {step.line}: the replay does not model {step}")
    return workdir


def _copy(step: Step, context: Path, workdir: Path) -> None:
    flags, (*sources, target) = step.flags_and_args()
    from_stage = any(flag.startswith("--from=") for flag in flags)
    destination = workdir / target  # an absolute (mapped) target replaces workdir
    for source in sources:
        origin = Path(source) if from_stage else context / source
        if origin.is_dir():  # Docker copies a folder's contents, not the folder
            if origin.resolve() != destination.resolve():
                shutil.copytree(origin, destination, dirs_exist_ok=True)
        elif origin.is_file():
            into = destination / origin.name if target.endswith("/") else destination
            into.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, into)
        else:
            raise FileNotFoundError(f"line {step.line}: COPY {source}: not in the context")


def _run(command: str, cwd: Path, env: dict[str, str], timeout: float) -> None:
    result = subprocess.run(
        ["sh", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"RUN failed ({result.returncode}): {command}\n{result.stdout[-4000:]}\n"
            f"{result.stderr[-4000:]}"
        )
