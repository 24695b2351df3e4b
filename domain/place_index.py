"""The tables behind `domain.places`: keys read from names, lookups by key, and the index itself.

The index is built once, on first use, from `us` and `zipcodes`; the same `_words` and `_name` key
both its tables and the typed text, so that the two meet. The rules are in `domain.places`.
"""
from __future__ import annotations

import gc
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import us
import zipcodes

from domain.place_overrides import ZIP_COUNTY_OVERRIDES

SUFFIXES = (("city", "and", "borough"), ("census", "area"), ("municipality",), ("borough",),
            ("parish",), ("county",), ("city",))
TOWN_SUFFIXES = ((), ("city",))  # names that may be a postal city rather than a county
PREFIXES = {("city", "and", "borough", "of"): ("city", "and", "borough"),
            ("municipality", "of"): ("municipality",), ("city", "of"): ("city",),
            ("county", "of"): ("county",), ("parish", "of"): ("parish",),
            ("borough", "of"): ("borough",)}
COUNTY_WORDS = {"co", "cnty", "cty", "counties"}  # read as "county"
WORD_ALIASES = {"saint": "st", "sainte": "ste", "ft": "fort"}
WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class State:
    abbr: str
    name: str
    fips: str
    time_zone: str  # IANA zone of the capital


@dataclass(frozen=True)
class County:
    fips: str
    name: str  # as `us` spells it: "Douglas County", "Acadia Parish", "Suffolk city"
    state: str  # abbreviation

    @property
    def label(self) -> str:
        """The county and its state, as people write it: "Douglas County, NE"."""
        return f"{self.name}, {self.state}"


@dataclass(frozen=True)
class Place:
    """What a piece of text names: one county, a whole state, or candidates to choose from."""

    county: County | None = None
    state: State | None = None  # the county's state, or the whole state named
    candidates: tuple[County | State, ...] = ()  # only when ambiguous; best first

    @property
    def is_county(self) -> bool:
        return self.county is not None

    @property
    def is_state(self) -> bool:
        """A whole state, no county."""
        return self.state is not None and self.county is None

    @property
    def is_ambiguous(self) -> bool:
        return bool(self.candidates)

    @property
    def found(self) -> bool:
        return self.is_county or self.is_state


@dataclass(frozen=True)
class _Name:
    """A place name as lookup keys: "Douglas Co." → full "douglascounty", base "douglas"."""

    full: str
    base: str
    suffix: tuple[str, ...]
    typed: str  # the words as typed, for postal cities: "cityofindustry"


Ranked = list[tuple[County, float]]  # with a weight: ZIP-code count or match score


@dataclass
class _Index:
    """Every lookup table, built once on first use."""

    states: dict[str, State]
    state_by_key: dict[str, State]  # "ne", "nebraska", "neb" → Nebraska
    state_name_keys: list[str]  # "nebraska", "newhampshire": for typos
    counties: dict[str, list[County]]  # abbr → counties by name
    county_by_fips: dict[str, County]
    by_full: dict[tuple[str, str], County]  # ("NE", "douglascounty")
    by_base: dict[tuple[str, str], list[County]]  # ("VA", "richmond") → city and county
    towns: dict[tuple[str, str], Counter[str]]  # ("NE", "omaha") → FIPS → ZIP codes
    zip_fips: dict[str, str]
    zip_count: Counter[str]  # FIPS → ZIP codes
    states_naming: dict[str, set[str]]  # any key → states where it names something
    state_choices: dict[str, list[str]]  # abbr → keys for typo matching
    county_choices: dict[str, list[str]]  # abbr → county base keys, for suggestions
    national_choices: list[str]  # county keys of every state


# Reading names into keys


def _words(text: str) -> list[str]:
    """Lower-case ASCII words: accents and apostrophes dropped, initials joined ("N.E." → "ne")."""
    if not text.isascii():  # "Doña Ana" → "Dona Ana"; curly apostrophes are dropped here
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = WORD.findall(text.lower().replace("'", "").replace("`", ""))
    if any(len(word) == 1 for word in words):
        words = _join_initials(words)
    return [WORD_ALIASES.get(word, word) for word in words]


def _join_initials(words: list[str]) -> list[str]:
    """Join runs of single letters: ["n", "e"] → ["ne"]."""
    joined: list[str] = []
    for previous, word in zip(["", *words[:-1]], words, strict=True):
        if len(word) == len(previous) == 1 and (previous + word).isalpha():
            joined[-1] += word
        else:
            joined.append(word)
    return joined


def _key(words: list[str] | tuple[str, ...]) -> str:
    """Words run together, so that spacing never matters: "la porte" and "laporte" meet."""
    return "".join(words)


def _name(words: list[str]) -> _Name:
    """The lookup keys of a place name, its county-type suffix set apart."""
    typed = _key(words)
    words = _unprefixed(words)
    if words and words[-1] in COUNTY_WORDS:
        words = words[:-1] + ["county"]
    for suffix in SUFFIXES:
        if len(words) > len(suffix) and tuple(words[-len(suffix):]) == suffix:
            return _Name(_key(words), _key(words[:-len(suffix)]), suffix, typed)
    return _Name(_key(words), _key(words), (), typed)


def _unprefixed(words: list[str]) -> list[str]:
    """Move a leading type to the end: "municipality of anchorage" → "anchorage municipality"."""
    for prefix, suffix in PREFIXES.items():
        if len(words) > len(prefix) and tuple(words[:len(prefix)]) == prefix:
            return words[len(prefix):] + list(suffix)
    return words


# Looking names up


def _by_full_name(name: _Name, state: str) -> Ranked:
    """The county whose whole name this is: "richmondcity"."""
    county = _index().by_full.get((state, name.full))
    return [(county, _index().zip_count[county.fips])] if county else []


def _by_county_name(name: _Name, state: str, rival_towns: bool = True) -> Ranked:
    """Counties with this name, with or without the type; with a bigger same-named city if bare."""
    index = _index()
    counties = index.by_base.get((state, name.base)) or index.by_base.get((state, name.full), [])
    ranked = [(county, index.zip_count[county.fips]) for county in counties]
    if not ranked or name.suffix or not rival_towns:
        return ranked
    town = index.towns.get((state, name.typed))
    if town and town.total() > max(weight for _, weight in ranked):
        return ranked + _town_counties(town)
    return ranked


def _by_town(name: _Name, state: str) -> Ranked:
    """The county of a postal city, or its counties when none holds a majority of its ZIP codes."""
    town = _index().towns.get((state, name.typed)) if name.suffix in TOWN_SUFFIXES else None
    return _town_counties(town) if town else []


def _by_town_called_city(name: _Name, state: str) -> Ranked:
    """The county of a postal city named with "city" after it: "Omaha city"."""
    town = _index().towns.get((state, name.base)) if name.suffix == ("city",) else None
    return _town_counties(town) if town else []


def _town_counties(town: Counter[str]) -> Ranked:
    """The county holding a majority of a postal city's ZIP codes, else all of its counties."""
    ranked = [(_index().county_by_fips[fips], count) for fips, count in town.most_common()]
    return ranked[:1] if ranked[0][1] * 2 > town.total() else ranked


# Building the index


@cache
def _index() -> _Index:
    """Every lookup table, built on first use, in about a second."""
    with _cycle_collector_paused():
        return _built_index()


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector, which would rescan 42,000 fresh ZIP rows again and again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _built_index() -> _Index:
    """Every lookup table, from `us` and `zipcodes`."""
    states = {s.abbr: State(s.abbr, s.name, s.fips, s.capital_tz)
              for s in [*us.states.STATES, us.states.DC]}
    counties = {abbr: sorted((County(c.fips, c.name, abbr) for c in us.states.lookup(abbr).counties),
                             key=lambda county: county.name) for abbr in states}
    by_full, by_base = _county_keys(counties)
    zip_fips, towns = _zip_tables(by_full, by_base, set(states))
    index = _Index(
        states=states, state_by_key=_state_keys(states),
        state_name_keys=[_key(_words(state.name)) for state in states.values()],
        counties=counties, county_by_fips={c.fips: c for cs in counties.values() for c in cs},
        by_full=by_full, by_base=by_base, towns=towns, zip_fips=zip_fips,
        zip_count=Counter(zip_fips.values()), states_naming=defaultdict(set),
        state_choices={}, county_choices={}, national_choices=[])
    _add_choices(index)
    return index


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


def _zip_tables(by_full: dict, by_base: dict, states: set[str]) -> tuple[dict[str, str], dict]:
    """ZIP code → county FIPS, and postal city → FIPS → ZIP codes, for the 50 states and DC."""
    zip_fips: dict[str, str] = {}
    towns: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    also_known_as: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    joined: dict[tuple[str, str], str | None] = {}
    for row in zipcodes.list_all():
        place = (row["state"], row["county"])
        if place not in joined:
            joined[place] = _zip_county(*place, by_full, by_base) if row["state"] in states else None
        if fips := joined[place]:
            zip_fips[row["zip_code"]] = fips
            towns[(row["state"], _town_key(row["city"]))][fips] += 1
            for city in row["acceptable_cities"]:
                also_known_as[(row["state"], _town_key(city))][fips] += 1
    for key, counts in also_known_as.items():
        towns.setdefault(key, counts)
    return zip_fips, dict(towns)


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


def _add_choices(index: _Index) -> None:
    """Fill the tables used for states-by-key search and typo matching."""
    state_choices: dict[str, set[str]] = defaultdict(set)
    for (abbr, key) in [*index.by_full, *index.by_base, *index.towns]:
        index.states_naming[key].add(abbr)
        state_choices[abbr].add(key)
    county_choices: dict[str, list[str]] = defaultdict(list)
    for (abbr, key) in index.by_base:
        county_choices[abbr].append(key)
    for abbr in index.states:
        index.state_choices[abbr] = sorted(state_choices[abbr])
        index.county_choices[abbr] = sorted(county_choices[abbr])
    index.national_choices = sorted({key for (_, key) in [*index.by_full, *index.by_base]})
