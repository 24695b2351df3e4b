"""How fast domain.places resolves text. Run from the project root: `.venv/bin/python bench/places.py`."""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain import places  # noqa: E402  (needs the project root on sys.path)

CALLS = 2000
CASES = [  # (what, text, state); ZIP first: the others are shown as a ratio to it
    ("ZIP", "68102", None),
    ("whole state", "Nebraska", None),
    ("exact county", "Douglas County, NE", None),
    ("exact city", "Omaha, NE", None),
    ("typo within a state", "Dougals County, NE", None),
    ("typo without a state", "Dougals", None),
]


def microseconds_per_call(text: str, state: str | None) -> float:
    """The mean time of one resolve(text, state), over CALLS calls."""
    start = time.perf_counter()
    for _ in range(CALLS):
        places.resolve(text, state)
    return (time.perf_counter() - start) / CALLS * 1e6


def outcome(place: places.Place) -> str:
    """What the text resolved to, to show that each case does what its name says."""
    if place.county:
        return place.county.label
    return place.state.name if place.state else f"{len(place.candidates)} candidates"


start = time.perf_counter()
places.resolve("68102")
print(f"first call (loads the index; builds its cache if missing): {(time.perf_counter() - start) * 1000:.0f} ms\n")

timings = [microseconds_per_call(text, state) for _, text, state in CASES]
print(f"{'case':<22}{'text':<22}{'µs/call':>9}{'× ZIP':>8}  resolves to")
for (what, text, state), per_call in zip(CASES, timings, strict=True):
    result = outcome(places.resolve(text, state))
    print(f"{what:<22}{text:<22}{per_call:>9.1f}{per_call / timings[0]:>8.1f}  {result}")
print(f"\n{CALLS} calls each, {sys.version.split()[0]}")
