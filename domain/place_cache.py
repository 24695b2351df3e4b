"""The place index's cache file: where it lives, what it is keyed by, and making it safely.

`.cache/place_index-<key>.marshal` at the project root, the key a hash of the installed `us` and
`zipcodes` packages' files, of the code deriving the index and of the Python version: made on
the first start (by `place_build`, in a subprocess, so that zipcodes' rows never stay in the
bot's memory), made again whenever one of those changes, never downloaded. Processes starting
together build it once (a lock), and a file is only ever written whole (renamed into place).
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import marshal
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / ".cache"
CACHE_PREFIX = "place_index-"
LOCK_NAME = "place_index.lock"
CACHE_FORMAT = 2  # bump when the compact form changes shape
SOURCES = ("domain/place_index.py", "domain/place_cache.py", "domain/place_build.py",
           "domain/place_overrides.py")
PACKAGES = ("us", "zipcodes")


def cache_key() -> str:
    """A hash of what the index is derived from: the packages' files, the code, the Python."""
    statehood = bool(os.environ.get("DC_STATEHOOD"))  # `us` reads it at import: DC is then a state
    digest = hashlib.sha256(f"{CACHE_FORMAT} {sys.version_info[:2]} {sys.byteorder} {statehood}".encode())
    for package in PACKAGES:  # found without importing them
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"The package {package!r} is not installed (see requirements.txt).")
        folder = Path(spec.origin).parent
        for file in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(f"\0{package}/{file.relative_to(folder).as_posix()}\0".encode())
            digest.update(file.read_bytes())
    for source in SOURCES:
        digest.update((ROOT / source).read_bytes())
    return digest.hexdigest()[:20]


def cached_tables(directory: Path) -> dict:
    """The compact tables from the cache in directory, made first if missing or out of date."""
    key = cache_key()
    path = directory / f"{CACHE_PREFIX}{key}.marshal"
    if (tables := read(path, key)) is not None:
        return tables
    with _building_alone(directory):  # another process starting now builds it once, not twice
        if (tables := read(path, key)) is not None:
            return tables
        try:
            _build(path, key)
        except RuntimeError as failure:  # e.g. a read-only install: build it where it can be written
            log.warning("could not write the place index cache in %s (%s); building it in a temporary "
                        "folder, as on every start until it can be written", directory, failure)
            with tempfile.TemporaryDirectory(prefix="tat-places-") as elsewhere:
                path = Path(elsewhere) / path.name
                _build(path, key)
                tables = read(path, key)
        else:
            tables = read(path, key)
    if tables is None:
        raise RuntimeError(f"The place index cache {path} was built but cannot be read.")
    return tables


@contextmanager
def _building_alone(directory: Path) -> Iterator[None]:
    """Hold a lock on the cache folder while building; without one (read-only, or no fcntl), go on:
    the cache file is written whole and renamed into place, so a second builder only repeats work."""
    try:
        import fcntl

        directory.mkdir(parents=True, exist_ok=True)
        lock = open(directory / LOCK_NAME, "a")  # held until the build is done
    except (ImportError, OSError):
        lock = None
    if lock is None:
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def read(path: Path, key: str) -> dict | None:
    """The tables in a cache file, or None if it is missing, damaged or made for another key."""
    try:
        tables = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return tables if isinstance(tables, dict) and tables.get("key") == key else None


def _build(path: Path, key: str) -> None:
    """Derive the tables from the packages into path, in a subprocess whose memory is then returned."""
    log.info("building the place index cache %s from the packages us and zipcodes", path)
    program = "import sys; sys.path.insert(0, sys.argv[1]); from domain import place_build; " \
              "sys.exit(place_build.main(sys.argv[2:]))"
    done = subprocess.run([sys.executable, "-c", program, str(ROOT), str(path), key],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else
                           f"exit status {done.returncode}")
