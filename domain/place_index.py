"""The tables behind `domain.places`: keys read from names, lookups by key, and the index itself.

The index is derived from the packages `us` and `zipcodes` by `place_build` into a compact
cache file (`place_cache`), which the bot loads in some tens of milliseconds: it never imports
`zipcodes` or `us`. The same `_words` and `_name` key both its tables and the typed text, so
that the two meet. The rules are in `domain.places`.
"""
from __future__ import annotations

import gc
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from domain.place_cache import CACHE_DIR, cached_tables

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
class Alternative:
    """Another place the text may mean, beside the one chosen: a county, and how to call it."""

    county: County
    called: str  # "Lincoln County, NE", or a postal city: "Douglas, NE (Otoe County)"


@dataclass(frozen=True)
class Place:
    """What a piece of text names: one county, a whole state, or candidates to choose from."""

    county: County | None = None
    state: State | None = None  # the county's state, or the whole state named
    candidates: tuple[County | State, ...] = ()  # only when ambiguous; best first
    alternatives: tuple[Alternative, ...] = ()  # with one place chosen, others the text may mean
    city: str = ""  # the postal city that named the county: "Lincoln, NE"
    guessed: str = ""  # the name as typed, when it was taken to be a close one: "Omahaa"

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
Town = tuple[tuple[str, int], ...]  # a postal city's counties: (FIPS, ZIP codes), most first


class _Zips:
    """ZIP code → county FIPS, as two arrays: the codes as numbers, sorted, and their counties."""

    __slots__ = ("codes", "counties", "fips")

    def __init__(self, codes: array, counties: array, fips: tuple[str, ...]) -> None:
        self.codes, self.counties, self.fips = codes, counties, fips

    def get(self, zip_code: str) -> str | None:
        """The FIPS of the county of a 5-digit ZIP code, or None."""
        if len(zip_code) != 5 or not (zip_code.isascii() and zip_code.isdigit()):
            return None
        number = int(zip_code)
        at = bisect_left(self.codes, number)
        found = at < len(self.codes) and self.codes[at] == number
        return self.fips[self.counties[at]] if found else None

    def items(self) -> Iterator[tuple[str, str]]:
        """Every ZIP code and its county's FIPS, by ZIP code."""
        for code, county in zip(self.codes, self.counties, strict=True):
            yield f"{code:05d}", self.fips[county]

    def __len__(self) -> int:
        return len(self.codes)


@dataclass
class _Index:
    """Every lookup table, loaded once, on first use, from the cache."""

    states: dict[str, State]
    state_by_key: dict[str, State]  # "ne", "nebraska", "neb" → Nebraska
    state_name_keys: list[str]  # "nebraska", "newhampshire": for typos
    counties: dict[str, list[County]]  # abbr → counties by name
    county_by_fips: dict[str, County]
    by_full: dict[tuple[str, str], County]  # ("NE", "douglascounty")
    by_base: dict[tuple[str, str], list[County]]  # ("VA", "richmond") → city and county
    towns: dict[tuple[str, str], Town]  # ("NE", "omaha") → (("31055", 40), ...)
    town_names: dict[tuple[str, str], str]  # ("NE", "omaha") → "Omaha"
    zip_fips: _Zips
    zip_count: Counter[str]  # FIPS → ZIP codes
    states_naming: dict[str, tuple[str, ...]]  # any key → states where it names something
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


def _by_county_name(name: _Name, state: str) -> Ranked:
    """Counties with this name, with or without the type (a name typed with "city" is a city's)."""
    index = _index()
    bare = index.by_base.get((state, name.base)) if name.suffix != ("city",) else None
    counties = bare or index.by_base.get((state, name.full), [])
    return [(county, index.zip_count[county.fips]) for county in counties]


def _by_town(name: _Name, state: str) -> Ranked:
    """The county of a postal city, or its counties when none holds a majority of its ZIP codes."""
    town = _index().towns.get((state, name.typed)) if name.suffix in TOWN_SUFFIXES else None
    return _town_counties(town) if town else []


def _by_town_called_city(name: _Name, state: str) -> Ranked:
    """The county of a postal city named with "city" after it: "Omaha city"."""
    town = _index().towns.get((state, name.base)) if name.suffix == ("city",) else None
    return _town_counties(town) if town else []


def _town_counties(town: Town) -> Ranked:
    """The county holding a majority of a postal city's ZIP codes, else all of its counties."""
    ranked = [(_index().county_by_fips[fips], count) for fips, count in town]
    return ranked[:1] if ranked[0][1] * 2 > _total(town) else ranked


def _town_name(state: str, key: str) -> str:
    """A postal city as people write it: "Omaha, NE"."""
    return f"{_index().town_names.get((state, key), key.title())}, {state}"


def _total(town: Town) -> int:
    """A postal city's ZIP codes."""
    return sum(count for _, count in town)


# Loading the index


@cache
def _index() -> _Index:
    """Every lookup table, loaded on first use from the cache (made first if missing)."""
    with _cycle_collector_paused():  # which would otherwise scan the fresh tables again and again
        return _loaded(cached_tables(CACHE_DIR))


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector, which would rescan thousands of fresh tuples again and again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _loaded(tables: dict) -> _Index:
    """The index from its compact tables."""
    states = {abbr: State(abbr, name, fips, zone) for abbr, name, fips, zone in tables["states"]}
    county_list = [County(fips, name, abbr) for fips, name, abbr in tables["counties"]]
    county_by_fips = {county.fips: county for county in county_list}
    counties: dict[str, list[County]] = {abbr: [] for abbr in states}
    for county in county_list:
        counties[county.state].append(county)
    return _Index(
        states=states,
        state_by_key={key: states[abbr] for key, abbr in tables["state_keys"].items()},
        state_name_keys=tables["state_name_keys"], counties=counties, county_by_fips=county_by_fips,
        by_full={key: county_by_fips[fips] for key, fips in tables["by_full"].items()},
        by_base={key: [county_by_fips[fips] for fips in group] for key, group in tables["by_base"].items()},
        towns=tables["towns"], town_names=tables["town_names"],
        zip_fips=_Zips(array("I", tables["zip_codes"]), array("H", tables["zip_counties"]),
                       tuple(county.fips for county in county_list)),
        zip_count=Counter(tables["zip_count"]), states_naming=tables["states_naming"],
        state_choices=tables["state_choices"], county_choices=tables["county_choices"],
        national_choices=tables["national_choices"])
