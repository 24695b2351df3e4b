"""The place index derived from the packages `us` and `zipcodes`, and the compact cache made from it.

Only this module imports `us` and `zipcodes`. `place_cache` runs it in a subprocess
(`python -c ... domain.place_build.main PATH KEY`) when the cache for the installed packages is
missing, so that zipcodes' 42,789 rows never stay in the bot's memory; the tests import it to
compare the cache with the tables derived here.
"""
from __future__ import annotations

import marshal
import os
import sys
import tempfile
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import us
import zipcodes

from domain.place_cache import CACHE_PREFIX
from domain.place_index import (
    County,
    State,
    _cycle_collector_paused,
    _key,
    _name,
    _words,
)
from domain.place_overrides import ZIP_COUNTY_OVERRIDES


@dataclass
class PackageTables:
    """Every lookup table, in plain Python types, straight from the packages."""

    states: dict[str, State]
    state_by_key: dict[str, State]
    state_name_keys: list[str]
    counties: dict[str, list[County]]
    county_by_fips: dict[str, County]
    by_full: dict[tuple[str, str], County]
    by_base: dict[tuple[str, str], list[County]]
    towns: dict[tuple[str, str], Counter[str]]  # ("NE", "omaha") → FIPS → ZIP codes
    town_names: dict[tuple[str, str], str]  # ("NE", "omaha") → "Omaha", as zipcodes spells it
    zip_fips: dict[str, str]
    zip_count: Counter[str]
    states_naming: dict[str, set[str]]
    state_choices: dict[str, list[str]]
    county_choices: dict[str, list[str]]
    national_choices: list[str]


def package_tables() -> PackageTables:
    """Every lookup table, from `us` and `zipcodes` (about a second, and zipcodes' cache in memory)."""
    with _cycle_collector_paused():  # it would rescan 42,000 fresh ZIP rows again and again
        return _built_tables()


def _built_tables() -> PackageTables:
    states = {s.abbr: State(s.abbr, s.name, s.fips, s.capital_tz)
              for s in [*us.states.STATES, us.states.DC]}
    counties = {abbr: sorted((County(c.fips, c.name, abbr) for c in us.states.lookup(abbr).counties),
                             key=lambda county: county.name) for abbr in states}
    by_full, by_base = _county_keys(counties)
    zip_fips, towns, town_names = _zip_tables(by_full, by_base, set(states))
    tables = PackageTables(
        states=states, state_by_key=_state_keys(states),
        state_name_keys=[_key(_words(state.name)) for state in states.values()],
        counties=counties, county_by_fips={c.fips: c for cs in counties.values() for c in cs},
        by_full=by_full, by_base=by_base, towns=towns, town_names=town_names, zip_fips=zip_fips,
        zip_count=Counter(zip_fips.values()), states_naming=defaultdict(set),
        state_choices={}, county_choices={}, national_choices=[])
    _add_choices(tables)
    tables.states_naming = dict(tables.states_naming)
    return tables


def _state_keys(states: dict[str, State]) -> dict[str, State]:
    """Every key that names a state: abbreviation, name, AP abbreviation."""
    keys = {"washingtondc": states["DC"]}
    for state in states.values():
        ap_abbr = us.states.lookup(state.abbr).ap_abbr or state.abbr
        for text in (state.abbr, state.name, ap_abbr):
            keys[_key(_words(text))] = state
    return keys


def _county_keys(counties: dict[str, list[County]]) -> tuple[dict[tuple[str, str], County],
                                                             dict[tuple[str, str], list[County]]]:
    """Counties by full-name key and by base-name key within their state."""
    by_full: dict[tuple[str, str], County] = {}
    by_base: dict[tuple[str, str], list[County]] = defaultdict(list)
    for abbr, state_counties in counties.items():
        for county in state_counties:
            name = _name(_words(county.name))
            by_full[(abbr, name.full)] = county
            by_base[(abbr, name.base)].append(county)
    return by_full, dict(by_base)


def _zip_tables(by_full: dict, by_base: dict, states: set[str]) -> tuple[dict[str, str], dict, dict]:
    """ZIP code → county FIPS, postal city → FIPS → ZIP codes, and each postal city's name as
    spelt by zipcodes, for the 50 states and DC."""
    zip_fips: dict[str, str] = {}
    towns: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    also_known_as: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    names: dict[tuple[str, str], str] = {}
    other_names: dict[tuple[str, str], str] = {}
    joined: dict[tuple[str, str], str | None] = {}
    for row in zipcodes.list_all():
        place = (row["state"], row["county"])
        if place not in joined:
            joined[place] = _zip_county(*place, by_full, by_base) if row["state"] in states else None
        if fips := joined[place]:
            zip_fips[row["zip_code"]] = fips
            towns[(row["state"], _town_key(row["city"]))][fips] += 1
            names.setdefault((row["state"], _town_key(row["city"])), row["city"])
            for city in row["acceptable_cities"]:
                also_known_as[(row["state"], _town_key(city))][fips] += 1
                other_names.setdefault((row["state"], _town_key(city)), city)
    for key, counts in also_known_as.items():
        towns.setdefault(key, counts)
    return zip_fips, dict(towns), {key: names.get(key) or other_names[key] for key in towns}


@cache
def _town_key(city: str) -> str:
    """The key of a postal city name."""
    return _key(_words(city))


def _zip_county(state: str, county_name: str, by_full: dict, by_base: dict) -> str | None:
    """The FIPS of the county a ZIP row names, joined by normalised name within its state."""
    if not county_name or (state, county_name) in ZIP_COUNTY_OVERRIDES:
        return ZIP_COUNTY_OVERRIDES.get((state, county_name))
    name = _name(_words(county_name))
    if county := by_full.get((state, name.full)):
        return county.fips
    matches = by_base.get((state, name.base)) or by_base.get((state, name.full), [])
    return matches[0].fips if len(matches) == 1 else None


def _add_choices(tables: PackageTables) -> None:
    """Fill the tables used for states-by-key search and typo matching."""
    state_choices: dict[str, set[str]] = defaultdict(set)
    for (abbr, key) in [*tables.by_full, *tables.by_base, *tables.towns]:
        tables.states_naming[key].add(abbr)
        state_choices[abbr].add(key)
    county_choices: dict[str, list[str]] = defaultdict(list)
    for (abbr, key) in tables.by_base:
        county_choices[abbr].append(key)
    for abbr in tables.states:
        tables.state_choices[abbr] = sorted(state_choices[abbr])
        tables.county_choices[abbr] = sorted(county_choices[abbr])
    tables.national_choices = sorted({key for (_, key) in [*tables.by_full, *tables.by_base]})


# The compact form


def compact(tables: PackageTables, cache_key: str) -> dict:
    """The tables as marshal-able values, each string and small tuple stored once.

    ZIP codes become two arrays (the codes as numbers, sorted, and the index of each one's
    county); a postal city's counts become (FIPS, ZIP codes) pairs, most first; everything else
    keeps its shape, with counties and states named by FIPS and abbreviation.
    """
    one: dict = {}  # equal strings and tuples made one object, which marshal then writes once
    same = lambda value: one.setdefault(value, value)  # noqa: E731
    key = lambda pair: (same(pair[0]), same(pair[1]))  # noqa: E731
    counties = [county for state_counties in tables.counties.values() for county in state_counties]
    position = {county.fips: i for i, county in enumerate(counties)}
    zips = sorted(tables.zip_fips.items())
    return {
        "key": cache_key,
        "states": tuple((s.abbr, s.name, s.fips, s.time_zone) for s in tables.states.values()),
        "state_keys": {same(k): same(s.abbr) for k, s in tables.state_by_key.items()},
        "state_name_keys": [same(k) for k in tables.state_name_keys],
        "counties": tuple((same(c.fips), c.name, same(c.state)) for c in counties),
        "by_full": {key(k): same(c.fips) for k, c in tables.by_full.items()},
        "by_base": {key(k): same(tuple(same(c.fips) for c in cs)) for k, cs in tables.by_base.items()},
        "towns": {key(k): same(tuple(same((same(fips), n)) for fips, n in town.most_common()))
                  for k, town in tables.towns.items()},
        "town_names": {key(k): same(name) for k, name in tables.town_names.items()},
        "zip_codes": array("I", [int(code) for code, _ in zips]).tobytes(),
        "zip_counties": array("H", [position[fips] for _, fips in zips]).tobytes(),
        "zip_count": {same(fips): n for fips, n in tables.zip_count.items()},
        "states_naming": {same(k): same(tuple(sorted(same(a) for a in abbrs)))
                          for k, abbrs in tables.states_naming.items()},
        "state_choices": {same(a): [same(k) for k in keys] for a, keys in tables.state_choices.items()},
        "county_choices": {same(a): [same(k) for k in keys] for a, keys in tables.county_choices.items()},
        "national_choices": [same(k) for k in tables.national_choices],
    }


def write(path: Path, cache_key: str) -> None:
    """Write the compact tables to path atomically: to a temporary file beside it, then renamed."""
    data = marshal.dumps(compact(package_tables(), cache_key))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; it holds nothing secret
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for stale in path.parent.glob(f"{CACHE_PREFIX}*"):  # caches of packages no longer installed
        if stale.name != path.name and not stale.name.startswith("."):
            stale.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    """`PATH KEY`: build the cache at PATH, keyed by KEY."""
    path, cache_key = argv
    write(Path(path), cache_key)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
