#!/usr/bin/env python3
"""Run the bot or its tests from a fresh clone: sets up .venv from the pinned requirements first.

    python3 dev.py start [verb]   the bot: `python bot.py [verb]` (no Slack credentials: the local shell)
    python3 dev.py test [args]    the tests: `pytest [args]`; set TEST_DATABASE_URL to run them on PostgreSQL
"""
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
REQUIREMENTS = ROOT / "requirements-dev.txt"
STAMP = VENV / ".requirements.sha256"


def requirements_hash() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "requirements-dev.txt"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create .venv and install the requirements, unless it is already up to date."""
    wanted = requirements_hash()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not PYTHON.exists():
        print("Creating .venv (first run only)...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing the pinned requirements into .venv...", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(REQUIREMENTS)], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file may be run by an older Python
        print(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.", file=sys.stderr)
        return 2
    if not argv or argv[0] not in ("start", "test"):
        print(__doc__, file=sys.stderr)
        return 2
    ensure_environment()
    command = ["bot.py", *argv[1:]] if argv[0] == "start" else ["-m", "pytest", *argv[1:]]
    os.chdir(ROOT)
    os.execv(str(PYTHON), [str(PYTHON), *command])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
