"""US states and counties, and the places that a piece of typed text names.

Data ships with the dependencies: `us` gives the 50 states, DC and their 3,143 counties and
county equivalents (Connecticut keeps its 8 old counties, as every package has it); `zipcodes`
gives ZIP codes and postal city names, joined to `us` counties by normalised county name, with
`place_overrides` for the few that do not join. `place_build` derives the lookup tables from them
into a compact cache (`place_cache`), which `place_index` loads, once; this module reads typed
text and matches it against them.

Rules, so that a place is never a silent guess:
- A county's full name resolves exactly: "Richmond city, VA", "Richmond County, VA".
- A bare name ("Lincoln, NE", no "county" typed) names the postal city of that name when the city
  is the bigger place (more ZIP codes), and the county of that name is offered beside it; it names
  the county when the county is the bigger ("Douglas, NE"), with the small town offered beside it.
  A postal city that is itself a county ("Richmond, VA": Richmond city) is that county, with the
  county of the same name offered beside it. The place says which postal city named it (`city`).
- A postal city names the county that holds most of its ZIP codes; with no majority, each
  county is a candidate. Without a state, a name found in several states gives candidates.
- A typo resolves when one match leads the rest clearly, and says so (`guessed`: the name as
  typed), with the other close ones offered beside it; otherwise the close ones are candidates.
  Typos of city names are only matched within a given state.
- Candidates come best first: closest match, then most ZIP codes (a stand-in for population).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from domain.bounds import FORM_TEXT, echoed
from domain.place_index import (
    COUNTY_WORDS,
    SUFFIXES,
    Alternative,
    County,
    Place,
    State,
    _by_town,
    _index,
    _key,
    _Name,
    _name,
    _words,
)
from domain.place_match import (
    CLEAR_LEAD,
    FUZZY_CUTOFF,
    _county_named,
    _county_only,
    _exact,
    _Found,
    _place,
    _state_place,
    _typo,
    _within,
    _zip_place,
)

__all__ = ["State", "County", "Place", "Alternative", "all_states", "find_state", "counties_of", "county_by_fips",
           "resolve", "resolve_jurisdiction", "warm_up"]

SUGGESTION_CUTOFF = 60
TYPE_WORDS = {"", *("".join(suffix) for suffix in SUFFIXES)}  # "county" alone names nothing
COUNTRY = {"us", "usa", "unitedstates", "unitedstatesofamerica"}
STATEWIDE = {"statewide", "all", "entirestate", "wholestate", "allcounties", "theentirestate",
             "thewholestate", "allofthestate"}
PLACE_TEXT = 200        # characters: a place named longer than any address is no place
STATE_TEXT = 60         # "District of Columbia, United States of America" and then some
MOST_COUNTIES = 100     # named one by one in a jurisdiction; more than that is "statewide"
MOST_PROBLEMS = 5       # told at once
SEPARATORS = " ,\t\n\r\f\v"


@dataclass(frozen=True)
class _Reading:
    """One way to read the text: a name, and the state it is in (None: anywhere)."""

    words: tuple[str, ...]
    state: str | None
    exact_only: bool = False  # a fall-back reading, too loose to match typos against
    typed: str = ""  # the name as typed, to say what it was taken to be


def warm_up() -> None:
    """Load the lookup tables now rather than on the first lookup (their cache is built first if missing)."""
    _index()


def all_states() -> list[State]:
    """The 50 states and DC, sorted by name."""
    return sorted(_index().states.values(), key=lambda state: state.name)


def find_state(text: str) -> State | None:
    """The state named by an abbreviation, a name or a close typo of a name; None if none is close."""
    if len(text) > STATE_TEXT:
        return None
    words = _words(text)
    return _index().state_by_key.get(_key(words)) or _state_typo(words)


def counties_of(state_abbr: str) -> list[County]:
    """The counties and county equivalents of a state, sorted by name."""
    return list(_index().counties.get(state_abbr.strip().upper(), []))


def county_by_fips(fips: str) -> County | None:
    """The county with this 5-digit FIPS code."""
    return _index().county_by_fips.get(fips.strip())


def resolve(text: str, state: str | None = None) -> Place:
    """The place that text names; `state` (an abbreviation) restricts the search to that state."""
    scope = state.strip().upper() if state else None
    if len(text) > PLACE_TEXT or (scope and scope not in _index().states):
        return Place()
    if zip_code := _zip_code(text.strip()):
        return _within(_zip_place(zip_code), scope)
    rest, zip_code = _before_zip(text)
    if zip_code:  # "Omaha, NE 68102": the ZIP, else the rest
        if (place := _within(_zip_place(zip_code), scope)).found:
            return place
        text = rest
    return _within(_name_place(text, scope), scope)


def resolve_jurisdiction(text: str, state: str) -> tuple[list[County], bool, list[str]]:
    """Counties a jurisdiction field names ("Douglas, Sarpy"), whether it is statewide, and problems."""
    home = _index().states.get(state.strip().upper())
    if home is None:
        return [], False, [f'There is no state "{echoed(state)}".']
    if len(text) > FORM_TEXT:
        return [], False, [f"That is longer than {FORM_TEXT:,} characters."]
    parts = list(dict.fromkeys(part.strip() for part in re.split(r"[,;\n/&+|]", text) if part.strip()))
    if _exact_state(_words(text)) == home or any(_key(_words(part)) in STATEWIDE for part in parts):
        return [], True, []
    if len(parts) > MOST_COUNTIES:
        return [], False, [f"That names {len(parts)} places: name at most {MOST_COUNTIES} counties, "
                           'or write "statewide".']
    counties, problems = _joined(_jurisdiction_part(part, home) for part in parts)
    if len(problems) > MOST_PROBLEMS:
        problems = [*problems[:MOST_PROBLEMS], f"(and {len(problems) - MOST_PROBLEMS} more like these)"]
    return list(dict.fromkeys(counties)), False, problems


def _zip_code(text: str) -> str | None:
    """The ZIP code that text is, alone: 68102, 68102-1234, 68102 1234 or 681021234."""
    first, plus = text[:5], text[5:]
    if plus[:1] in ("-", " "):
        plus = plus[1:]
    return first if _digits(first, 5) and (plus == "" or _digits(plus, 4)) else None


def _before_zip(text: str) -> tuple[str, str | None]:
    """An address that ends in a ZIP code ('Omaha, NE 68102-1234'): the text before it, and the ZIP."""
    stripped = text.rstrip()
    rest = stripped.rstrip("0123456789-")
    zip_code, name = _zip_code(stripped[len(rest):]), rest.rstrip(SEPARATORS)
    if zip_code and name != rest and any(c.isascii() and c.isalpha() for c in name):
        return name, zip_code
    return text, None


def _digits(text: str, count: int) -> bool:
    return len(text) == count and text.isascii() and text.isdigit()


def _name_place(text: str, scope: str | None) -> Place:
    """The place a name names: a whole state, a county, a postal city's county, or a typo of one."""
    whole = _exact_state(_words(text))
    if whole and scope in (None, whole.abbr):
        return _state_place(whole)
    readings = _scoped(_readings(text), scope)
    if whole:  # another state's name: only a county of that name in this state will do
        return _place(*_match(readings, _county_only))
    if (found := _match(readings, _exact))[0]:
        return _place(*found)
    if (typo := _state_typo(_words(text))) and scope in (None, typo.abbr):
        return _state_place(typo, guessed=" ".join(text.split()))
    return _place(*_match(readings, _typo))


# Reading text


def _readings(text: str) -> list[_Reading]:
    """The ways to read text as a name and a state, most likely first."""
    parts = [part for part in text.split(",") if _words(part)]
    if parts and _key(_words(parts[-1])) in COUNTRY:  # "Douglas County, NE, USA"
        parts.pop()
    if len(parts) > 1 and (state := find_state(parts[-1])):
        return [_Reading(tuple(_words(",".join(parts[:-1]))), state.abbr, typed=_typed(",".join(parts[:-1])))]
    words = _words(",".join(parts))
    whole = _Reading(tuple(words), None, typed=_typed(text))
    if tail := _trailing_state(words, _exact_state):
        name = _Reading(tuple(words[:-tail[1]]), tail[0].abbr, typed=_typed_before(text, words, tail[1]))
        if words[-1] in COUNTY_WORDS:  # "Douglas Co": a county first, Colorado second
            return [whole, name]
        return [name, _Reading(whole.words, None, exact_only=True)]
    if tail := _trailing_state(words, _state_typo):
        return [whole, _Reading(tuple(words[:-tail[1]]), tail[0].abbr, typed=_typed_before(text, words, tail[1]))]
    return [whole] if words else []


def _typed(text: str) -> str:
    """Text as typed, its spaces tidied: to echo back."""
    return " ".join(text.split()).strip(SEPARATORS)


def _typed_before(text: str, words: list[str], count: int) -> str:
    """The text before its last `count` words, as typed if it splits there, else as read."""
    head = " ".join(text.split()[:-count])
    return _typed(head) if _words(head) == words[:-count] else " ".join(words[:-count])


def _trailing_state(words: list[str],
                    find: Callable[[list[str]], State | None]) -> tuple[State, int] | None:
    """A state named by the last one to three words, with how many words name it."""
    for count in (3, 2, 1):
        tail = words[-count:]
        if len(words) > count and len(_key(tail)) > 1 and (state := find(tail)):
            return state, count
    return None


def _exact_state(words: list[str]) -> State | None:
    """The state these words name exactly."""
    return _index().state_by_key.get(_key(words))


def _state_typo(words: list[str]) -> State | None:
    """The state whose name these words misspell, if one stands out (never a longer text)."""
    index = _index()
    if len(_key(words)) < 4:
        return None
    matches = process.extract(_key(words), index.state_name_keys, scorer=fuzz.ratio,
                              score_cutoff=FUZZY_CUTOFF, limit=2)
    fitting = [(key, score) for key, score, _ in matches
               if len(words) <= len(index.state_by_key[key].name.split())]
    if not fitting or (len(fitting) > 1 and fitting[0][1] - fitting[1][1] < CLEAR_LEAD):
        return None
    return index.state_by_key[fitting[0][0]]


def _scoped(readings: list[_Reading], scope: str | None) -> list[_Reading]:
    """The readings that fit the state the search is restricted to, placed in it."""
    if scope is None:
        return readings
    return [_Reading(r.words, scope, r.exact_only, r.typed) for r in readings if r.state in (None, scope)]


# Matching names


def _match(readings: list[_Reading], matcher: Callable[[_Name, list[str] | None], _Found]) -> tuple[_Found, str]:
    """What the first reading that matches anything matches, and the name as it was typed."""
    for reading in readings:
        name = _name(list(reading.words))
        if name.base not in TYPE_WORDS and not (reading.exact_only and matcher is _typo):
            if found := matcher(name, [reading.state] if reading.state else None):
                return found, reading.typed
    return _Found(), ""


# Jurisdictions


def _jurisdiction_part(part: str, home: State) -> tuple[list[County], list[str]]:
    """The one county a part of a jurisdiction names, or the problem with it."""
    words = _words(part)
    if (tail := _trailing_state(words, _exact_state)) and tail[0] == home:
        words = words[:-tail[1]]
    if not words or _exact_state(words) == home:
        return [], []
    name = _name(words)
    counties = [county for county, _ in _county_named(name, [home.abbr])]
    if len(counties) == 1:
        return counties, []
    if counties:
        return [], [f'"{echoed(part)}" could be more than one county in {home.name} — '
                    f"did you mean {_either([county.name for county in counties])}?"]
    if _exact_state(words):
        return [], [f'"{echoed(part)}" is another state: name counties of {home.name} only.']
    pieces = [piece.strip() for piece in re.split(r"\band\b", part, flags=re.I) if piece.strip()]
    if len(pieces) > 1:  # "Douglas and Sarpy", once "Lewis and Clark" has had its chance
        return _joined(_jurisdiction_part(piece, home) for piece in pieces)
    return [], [_unknown_county(part, name, home)]


def _joined(results: Iterable[tuple[list[County], list[str]]]) -> tuple[list[County], list[str]]:
    """Counties and problems of several parts, together."""
    counties: list[County] = []
    problems: list[str] = []
    for found, trouble in results:
        counties += found
        problems += trouble
    return counties, problems


def _unknown_county(part: str, name: _Name, home: State) -> str:
    """A sentence saying no county has this name, with the nearest ones."""
    index = _index()
    near = [county for county, _ in _by_town(name, home.abbr)]
    for key, _, _ in process.extract(name.base, index.county_choices[home.abbr], scorer=fuzz.ratio,
                                     score_cutoff=SUGGESTION_CUTOFF, limit=3):
        near += index.by_base[(home.abbr, key)]
    names = [_short_name(county) for county in dict.fromkeys(near)][:3]
    hint = f" — did you mean {_either(names)}?" if names else "."
    return f'No county "{echoed(part)}" in {home.name}{hint}'


def _short_name(county: County) -> str:
    """"Douglas" for Douglas County, unless another county of the state shares that name."""
    base = _name(_words(county.name)).base
    if county.name.endswith(" County") and len(_index().by_base[(county.state, base)]) == 1:
        return county.name.removesuffix(" County")
    return county.name


def _either(names: list[str]) -> str:
    """"A", "A or B", "A, B or C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
