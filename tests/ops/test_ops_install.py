"""The Docker image's install path, without Docker: send the build context the way .dockerignore
lets it through, build the wheel from it as the build stage does, install that wheel into a clean
venv (dependencies from the package index), and run the installed ``quizbot`` the way the image
does: --version, questions validate, config check of the example, the console, health.

Marked ``slow`` (about 20-60 s, mostly the dependency install): runs by default, deselect with
``-m 'not slow'``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docker_context import build_context, copy_sources
from ops_support import FIXTURE_BANK, REPO

from bot import __version__

pytestmark = pytest.mark.slow
DOCKERFILE = REPO / "Dockerfile"


def clean_env(**extra: str) -> dict[str, str]:
    """No repository on the path and nothing that configures quizbot: only what the image has."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
           and not k.endswith("_BOT_TOKEN") and not k.startswith(("QUIZBOT_", "TELEGRAM_", "DISCORD_"))}
    env.update(extra)
    return env


def run(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300,
        stdin: str = "") -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env or clean_env(), capture_output=True,
                            text=True, timeout=timeout, input=stdin)
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("image")
    src, wheels, app, data = root / "src", root / "wheels", root / "app", root / "data"
    # stage 1: the build stage's COPY sources, as the build context carries them
    build_context(REPO, [s for s, _ in copy_sources(DOCKERFILE, stage=0)], src)
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", wheels, src, cwd=root)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    [wheel] = wheels.glob("quizbot-*.whl")
    # stage 2: a clean venv (the slim image's Python), the wheel, the files copied into /app
    venv = run(sys.executable, "-m", "venv", root / "venv", cwd=root)
    assert venv.returncode == 0, venv.stderr
    python = root / "venv" / "bin" / "python"
    install = run(python, "-m", "pip", "install", "--disable-pip-version-check", wheel, cwd=root, timeout=600)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    app.mkdir()
    data.mkdir()
    for source, dest in copy_sources(DOCKERFILE, stage=1):
        if dest.startswith("/app/"):
            build_context(REPO, [source], root / "context")
            copied = root / "context" / source
            target = app / dest.removeprefix("/app/")
            if not copied.exists():  # reported by test_the_bank_to_bake_in_is_in_the_repository
                target.mkdir(parents=True, exist_ok=True)
            elif copied.is_dir():
                shutil.copytree(copied, target, dirs_exist_ok=True)
            else:
                shutil.copy2(copied, target)
    return {"wheel": wheel, "quizbot": root / "venv" / "bin" / "quizbot", "python": python, "app": app,
            "data": data}


def image_env(paths: dict[str, Path], **extra: str) -> dict[str, str]:
    # the image's ENV lines, with its absolute paths moved under the test's directory
    env = {"QUIZBOT_DB": str(paths["data"] / "quizbot.db"), "QUIZBOT_QUESTIONS": str(paths["app"] / "questions"),
           "PYTHONDONTWRITEBYTECODE": "1"}
    return clean_env(**(env | extra))


def test_the_wheel_holds_the_packages_only(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    tops = {n.split("/")[0] for n in names if not n.startswith("quizbot-")}
    assert tops <= {"bot", "adapters", "scheduler"} and {"bot", "adapters"} <= tops
    assert "bot/cli.py" in names and "adapters/telegram/adapter.py" in names
    assert not any(n.startswith(("tests/", "questions/")) or n.endswith(".env") for n in names)


def test_installed_quizbot_reports_its_version(installed):
    result = run(installed["quizbot"], "--version", cwd=installed["app"], env=image_env(installed))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"quizbot {__version__}"
    where = run(installed["python"], "-c", "import bot; print(bot.__file__)", cwd=installed["app"])
    assert str(REPO) not in where.stdout  # the installed copy, not the checkout


def test_the_bank_to_bake_in_is_in_the_repository():
    """``COPY questions /app/questions`` fails on a clone without questions/ (git keeps no empty
    directory), and an image without topic files would serve an empty bank."""
    if not list((REPO / "questions").glob("*.yaml")):
        pytest.skip("questions/ holds no topic files yet (the bank tooling fills it); until then "
                    "`docker build` fails at COPY questions on a fresh clone")


def test_installed_quizbot_validates_the_baked_in_bank_and_a_mounted_one(installed):
    app = installed["app"]
    result = run(installed["quizbot"], "questions", "validate", cwd=app, env=image_env(installed))
    assert result.returncode == 0, result.stdout + result.stderr
    result = run(installed["quizbot"], "questions", "validate", "--questions", FIXTURE_BANK, cwd=app,
                 env=image_env(installed))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 question(s)" in result.stdout


def test_installed_quizbot_checks_the_example_config(installed):
    app = installed["app"]
    result = run(installed["quizbot"], "config", "check", "--config", "quizbot.example.yaml", cwd=app,
                 env=image_env(installed))
    assert result.returncode == 0, result.stderr
    # in the image the environment wins over the file
    assert f"database.path: {installed['data'] / 'quizbot.db'}    # $QUIZBOT_DB" in result.stdout


def test_installed_quizbot_runs_and_health_follows_it(installed):
    env = image_env(installed, QUIZBOT_QUESTIONS=str(FIXTURE_BANK))
    result = run(installed["quizbot"], "health", cwd=installed["app"], env=env)
    assert result.returncode == 1  # nothing running yet: the HEALTHCHECK fails during start-up
    result = run(installed["quizbot"], "run", cwd=installed["app"], env=env, timeout=60,
                 stdin="/lang en\n/topics\n")
    assert result.returncode == 0, result.stderr
    assert "Supervised fine-tuning" in result.stdout
    assert "no TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN" in result.stderr
    assert (installed["data"] / "quizbot.db").is_file()
