"""Matching a name read from typed text against the place index: exactly (a county's full name, a
county's or a postal city's name), or as a close name; and the place made of what matched. The
rules are in `domain.places`, which reads the text."""
from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from domain.place_index import (
    TOWN_SUFFIXES,
    Alternative,
    County,
    Place,
    Ranked,
    State,
    _by_county_name,
    _by_full_name,
    _by_town,
    _by_town_called_city,
    _index,
    _key,
    _Name,
    _town_counties,
    _town_name,
)

MAX_CANDIDATES = 8
MAX_ALTERNATIVES = 4  # offered beside the place chosen
FUZZY_CUTOFF = 80  # fuzz.ratio out of 100; "dougals" against "douglas" scores 86
CLEAR_LEAD = 8  # a fuzzy match wins outright when it beats the next one by this much


# Matching names


@dataclass(frozen=True)
class _Found:
    """What a name matched: one county or several (candidates); with one, what else it may mean, the
    postal city that named it, and whether the name was taken to be a close one."""

    ranked: Ranked = field(default_factory=list)
    alternatives: tuple[Alternative, ...] = ()
    city: str = ""
    guessed: bool = False

    def __bool__(self) -> bool:
        return bool(self.ranked)


def _exact(name: _Name, states: list[str] | None) -> _Found:
    """Counties the name matches exactly: full county name, then a county's or a postal city's
    name, then a postal city named with "city"; in every state that has one, if none was given."""
    if states is None:
        naming = _index().states_naming
        keys = (name.full, name.base, name.typed)
        states = sorted(set().union(*(naming.get(key, ()) for key in keys)))
    for stage in (_full_name, _county_or_city, _city, _city_called_city):
        if found := [hit for state in states if (hit := stage(name, state))]:
            return found[0] if len(found) == 1 else _Found(_ranked([pair for hit in found for pair in _all(hit)]))
    return _Found()


def _full_name(name: _Name, state: str) -> _Found:
    return _Found(_by_full_name(name, state))


def _county_or_city(name: _Name, state: str) -> _Found:
    """A bare name: the county of that name, or the postal city of that name if it is the bigger
    place (more ZIP codes), with the other offered beside it; a city that is itself a county
    ("Richmond, VA": Richmond city) is that county."""
    counties = _by_county_name(name, state)
    town = _index().towns.get((state, name.typed)) if not name.suffix else None
    city = _town_counties(town) if town and counties else []
    if len(city) != 1:
        return _Found(_ranked(counties + city))
    (in_city, size), named = city[0], [county for county, _ in counties]
    if in_city in named:
        return _Found([city[0]], tuple(Alternative(c, c.label) for c in named if c != in_city))
    if size > max(weight for _, weight in counties):
        return _Found([(in_city, size)], tuple(Alternative(c, c.label) for c in named), _town_name(state, name.typed))
    if len(counties) > 1:
        return _Found(_ranked(counties + city))
    return _Found(counties, (Alternative(in_city, _called(in_city, _town_name(state, name.typed))),))


def _city(name: _Name, state: str) -> _Found:
    found = _by_town(name, state)
    return _Found(found, city=_town_name(state, name.typed) if len(found) == 1 else "")


def _city_called_city(name: _Name, state: str) -> _Found:
    found = _by_town_called_city(name, state)
    return _Found(found, city=_town_name(state, name.base) if len(found) == 1 else "")


def _all(found: _Found) -> Ranked:
    """Every county a match offers, the other counties of its name too (weighed by ZIP codes); not a
    postal city offered beside a county of its name."""
    zips = _index().zip_count
    return found.ranked + [(other.county, zips[other.county.fips]) for other in found.alternatives
                           if other.called == other.county.label]


def _county_only(name: _Name, states: list[str] | None) -> _Found:
    return _Found(_county_named(name, states))


def _county_named(name: _Name, states: list[str] | None) -> Ranked:
    """Counties with exactly this name ("Washington" in Oregon), never a postal city."""
    return _ranked([pair for state in states or [] for pair in
                    _by_full_name(name, state) or _by_county_name(name, state)])


def _typo(name: _Name, states: list[str] | None) -> _Found:
    """Counties whose names are close to a misspelt one: one if it leads clearly (the others close to
    it offered beside it), else the close ones. A name typed with its type ("Dougals County") is
    matched against counties only."""
    index = _index()
    choices = index.state_choices[states[0]] if states else index.national_choices
    query = name.full if name.suffix in TOWN_SUFFIXES else name.base
    best: dict[County, tuple[float, str]] = {}   # each county's best score, and the postal city read, if one
    beside: dict[County, str] = {}               # what an exact reading of a close name offers beside it
    for key, score, _ in process.extract(query, choices, scorer=fuzz.ratio,
                                         score_cutoff=FUZZY_CUTOFF, limit=MAX_CANDIDATES):
        found = _exact(_Name(key, key, (), key) if name.suffix in TOWN_SUFFIXES else
                       _Name(key + _key(name.suffix), key, name.suffix, key), states)
        for county, _weight in found.ranked:
            if score > best.get(county, (0, ""))[0]:
                best[county] = (score, found.city)
        beside.update({other.county: other.called for other in found.alternatives})
    ranked = _ranked([(county, score) for county, (score, _) in best.items()])
    if not ranked or (len(ranked) > 1 and ranked[0][1] - ranked[1][1] < CLEAR_LEAD):
        return _Found(ranked)
    chosen, others = ranked[0][0], {county: _called(county, best[county][1]) for county, _ in ranked[1:]}
    alternatives = tuple(Alternative(c, called) for c, called in (others | beside).items() if c != chosen)
    return _Found(ranked[:1], alternatives, best[chosen][1], guessed=True)


def _called(county: County, city: str) -> str:
    """How to name a place on a button: its postal city and county, or the county."""
    return f"{city} ({county.name})" if city else county.label


def _ranked(pairs: Ranked) -> Ranked:
    """Counties once each, heaviest first, then by ZIP codes and label."""
    best: dict[County, float] = {}
    for county, weight in pairs:
        best[county] = max(weight, best.get(county, weight))
    zips = _index().zip_count
    return sorted(best.items(), key=lambda pair: (-pair[1], -zips[pair[0].fips], pair[0].label))


# Making places


def _place(found: _Found, typed: str = "") -> Place:
    """One county (with what else the text may mean), candidates, or nothing."""
    if len(found.ranked) == 1:
        county = found.ranked[0][0]
        return Place(county=county, state=_index().states[county.state],
                     alternatives=found.alternatives[:MAX_ALTERNATIVES], city=found.city,
                     guessed=typed if found.guessed else "")
    return Place(candidates=tuple(county for county, _ in _ranked(_all(found))[:MAX_CANDIDATES]))


def _state_place(state: State, guessed: str = "") -> Place:
    """A whole state; DC is also its own county equivalent."""
    if state.abbr == "DC":
        return _place(_Found([(_index().counties["DC"][0], 0)]))
    return Place(state=state, guessed=guessed)


def _zip_place(zip_code: str) -> Place:
    """The county of a ZIP code; nothing for an unknown one."""
    fips = _index().zip_fips.get(zip_code)
    return _place(_Found([(_index().county_by_fips[fips], 0)])) if fips else Place()


def _within(place: Place, scope: str | None) -> Place:
    """The place unless it is a county outside the state the search is restricted to."""
    outside = scope and place.county and place.county.state != scope  # ZIPs across a state line
    return Place() if outside else place
