"""mypy over bot/, adapters/ and scheduler/ (configured in pyproject.toml) finds no type error.

CI runs only ``python -m pytest``, so the type check runs here, in a subprocess with the same
interpreter; on failure mypy's own report is the assertion message.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_mypy_reports_no_errors():
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context"],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"mypy failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
