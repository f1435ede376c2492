"""scripts/setup-python.sh (quick start): Python 3.11 is chosen even when `python3` is another
version, and a .venv that a failed install left broken is made again, not reused."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def project(tmp_path):
    """A tiny project with the real setup script; `python3` on PATH claims to be Python 3.12."""
    proj = tmp_path / "proj"
    (proj / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup-python.sh", proj / "scripts")
    (proj / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "tiny"\nversion = "0"\n[project.optional-dependencies]\ntest = []\n'
        '[tool.setuptools]\npy-modules = []\n', encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").write_text("#!/bin/sh\necho 'Python 3.12.1' >&2\nexit 1\n", encoding="utf-8")
    (bin_dir / "python3").chmod(0o755)
    (bin_dir / "python3.11").symlink_to(sys.executable if sys.version_info[:2] == (3, 11) else shutil.which("python3.11"))
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env.pop("VIRTUAL_ENV", None)
    return proj, env


def run(proj: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", "source scripts/setup-python.sh && .venv/bin/python -c "
                           "'import sys; print(sys.version_info[:2])'"],
                          cwd=proj, env=env, capture_output=True, text=True, timeout=600)


def test_picks_python311_and_remakes_a_broken_venv(project):
    proj, env = project
    (proj / ".venv" / "bin").mkdir(parents=True)                 # what a failed first install leaves
    (proj / ".venv" / "bin" / "python").write_text("broken", encoding="utf-8")
    first = run(proj, env)
    assert first.returncode == 0, first.stderr
    assert "(3, 11)" in first.stdout and "Recreating .venv" in first.stdout + first.stderr
    assert (proj / ".venv" / ".install-stamp").exists()
    again = run(proj, env)                                         # a working .venv is kept
    assert again.returncode == 0 and "Recreating" not in again.stdout + again.stderr
