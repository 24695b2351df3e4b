#!/bin/sh
# Install the bot into its folder (default: the folder above this script): a virtualenv of its own
# with the pinned runtime requirements, and the place index built once. deploy/Dockerfile runs
# it, so do the systemd steps in README.md; tests/test_deploy.py runs it in a fresh copy.
set -eu
app="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$app"
python3 -m venv .venv
.venv/bin/pip install --quiet --no-cache-dir --disable-pip-version-check -r requirements.txt
.venv/bin/python -c "from domain import places; places.warm_up()"   # .cache/: a few seconds, once
echo "installed in $app/.venv"
