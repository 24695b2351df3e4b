"""A registration form, checked field by field into a Profile (or clear reasons why not)."""
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from domain import places
from domain.bounds import FORM_TEXT, echoed, longer_than
from domain.sectors import Sector

FIELDS = (
    "name", "sector", "organization", "title", "phone", "email", "state", "place",
    "site_name", "interstate", "exit",
)
REQUIRED = ("name", "sector", "organization", "phone", "email", "state", "place")
MAX_LENGTH = {"name": 120, "sector": 40, "organization": 160, "title": 120, "phone": 40, "email": 254,
              "state": 60, "place": FORM_TEXT, "site_name": 160, "interstate": 20, "exit": 20}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
EXTENSION = re.compile(r"(?:x|ext\.?|extension)\s*(\d{1,6})\s*$", re.IGNORECASE)
SERVICE_CODE = re.compile(r"^[2-9]11$")     # 211 ... 911 are never the exchange of a dialable number
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
INTERSTATE = re.compile(r"^(?:i|ih|interstate)?[\s-]*(\d{1,3})\s*([a-z]?)$", re.IGNORECASE)
EXIT = re.compile(r"^(?:exit)?[\s#]*(\d{1,3}[a-z]?)$", re.IGNORECASE)


class Invalid(Exception):
    """The form has problems: `errors` maps each field to a sentence that says how to fix it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Profile:
    name: str
    sector: Sector
    organization: str
    title: str | None
    phone: str
    email: str
    state: str
    county_fips: str | None = None
    jurisdiction: tuple[str, ...] = ()
    statewide: bool = False
    site_name: str | None = None
    interstate: str | None = None
    exit: str | None = None


def parse_profile(form: Mapping[str, str | None]) -> Profile:
    """Check a submitted form; raise Invalid naming every field that is wrong."""
    typed = {f: form.get(f) or "" for f in FIELDS}
    errors = longer_than(typed, MAX_LENGTH)   # before a character of it is read
    values = {f: None if f in errors else " ".join(typed[f].split()) or None for f in FIELDS}
    errors |= {f: "Please fill this in." for f in REQUIRED if not values[f] and f not in errors}
    for field in FIELDS:
        if field not in errors and (problem := text_problem(typed[field])):
            errors[field], values[field] = problem, None
    sector = _sector(values["sector"], errors)
    state = _state(values["state"], errors)
    phone = _checked(normalise_phone, values["phone"], "phone", errors)
    email = _checked(normalise_email, values["email"], "email", errors)
    interstate = _checked(normalise_interstate, values["interstate"], "interstate", errors)
    exit_ = _checked(normalise_exit, values["exit"], "exit", errors)
    if sector and sector.has_site and not values["site_name"] and "site_name" not in errors:
        errors["site_name"] = "Please give the name of your truck stop or terminal."
    where = _place(sector, state, values["place"], errors)
    if errors:
        raise Invalid(errors)
    return Profile(
        name=values["name"], sector=sector, organization=values["organization"],
        title=values["title"], phone=phone, email=email, state=state.abbr,
        site_name=values["site_name"] if sector.has_site else None,
        interstate=interstate, exit=exit_, **where,
    )


def text_problem(text: str) -> str | None:
    """Why typed text cannot be kept as it is (hidden control characters, nothing visible), or None."""
    if any(unicodedata.category(c) == "Cc" for c in text):
        return ("This contains a hidden control character (such as a tab, a line break or a NUL). "
                "Please type it again as plain text.")
    if any(c in BIDI_CONTROLS for c in text):
        return ("This contains a hidden text-direction character (U+202A–U+202E or U+2066–U+2069), "
                "which can disguise what is written. Please type it again as plain text.")
    if text and not any(_visible(c) for c in text):
        return "This has no visible characters. Please fill this in with visible letters or digits."
    return None


def _visible(char: str) -> bool:
    return not (char.isspace() or char in INVISIBLE or unicodedata.category(char) == "Cf")


def normalise_phone(text: str) -> str:
    """'402.555.0100 x12' → '(402) 555-0100 x12'; a dialable US number with its area code."""
    if len(text) > MAX_LENGTH["phone"]:
        raise ValueError
    extension = EXTENSION.search(text)
    number = text[: extension.start()].rstrip() if extension else text
    if re.search(r"[^\d\s().+-]", number):
        raise ValueError
    import phonenumbers  # here: only a registration or an import reads phone numbers, not the start

    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        raise ValueError from None
    national = str(parsed.national_number)
    if not phonenumbers.is_valid_number_for_region(parsed, "US") or SERVICE_CODE.match(national[3:6]):
        raise ValueError
    formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return f"{formatted} x{extension.group(1)}" if extension else formatted


def normalise_email(text: str) -> str:
    if len(text) > MAX_LENGTH["email"] or not EMAIL.match(text):
        raise ValueError
    return text


def normalise_interstate(text: str) -> str:
    """'80', 'i80', 'Interstate 35e' → 'I-80', 'I-35E'."""
    match = INTERSTATE.match(text) if len(text) <= MAX_LENGTH["interstate"] else None
    if not match:
        raise ValueError
    return f"I-{int(match.group(1))}{match.group(2).upper()}"


def normalise_exit(text: str) -> str:
    match = EXIT.match(text) if len(text) <= MAX_LENGTH["exit"] else None
    if not match:
        raise ValueError
    return match.group(1).upper()


FIELD_HELP = {
    "phone": "Please give a US phone number that can be dialled, with its area code, like "
             "402-555-0100 (an extension may follow: x123).",
    "email": "Please give an email address like name@agency.gov.",
    "interstate": "Please give the interstate as a number, like I-80 or 80.",
    "exit": "Please give the exit number, like 440 or 440A.",
}


def _checked(normalise, value: str | None, field: str, errors: dict[str, str]) -> str | None:
    if value is None:
        return None
    try:
        return normalise(value)
    except ValueError:
        errors[field] = FIELD_HELP[field]
        return None


def _sector(value: str | None, errors: dict[str, str]) -> Sector | None:
    try:
        return Sector(value) if value else None
    except ValueError:
        errors["sector"] = "Please choose one of the listed sectors."
        return None


def _state(value: str | None, errors: dict[str, str]) -> places.State | None:
    state = places.find_state(value) if value else None
    if value and state is None:
        errors["state"] = "Please choose a US state (or DC)."
    return state


def _place(sector, state, text, errors) -> dict:
    """The location county, or for law enforcement and the AG the jurisdiction."""
    if not (sector and state and text):
        return {}
    if sector.has_jurisdiction:
        counties, statewide, problems = places.resolve_jurisdiction(text, state.abbr)
        if problems:
            errors["place"] = " ".join(problems) + ' Write counties separated by commas, or "statewide".'
        return {"jurisdiction": tuple(c.fips for c in counties), "statewide": statewide}
    found = places.resolve(text, state=state.abbr)
    if found.is_county and not found.guessed:   # a close name is asked about, never taken silently
        return {"county_fips": found.county.fips}
    errors["place"] = _place_problem(found, text, state)
    return {}


def _place_problem(found: places.Place, text: str, state: places.State) -> str:
    if found.guessed and found.county:
        meant = f"{found.city.split(',')[0]} ({found.county.name})" if found.city else found.county.name
        return f'No place in {state.name} is called "{echoed(text)}" — did you mean {meant}? Please write it so.'
    if found.is_ambiguous:
        names = [c.name for c in found.candidates if isinstance(c, places.County)]
        either = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        return f'"{echoed(text)}" could be in {either}. Please write the county\'s name, like {names[0]}.'
    if found.is_state:
        return f"Please name your county in {state.name}, like {example_county(state)} (a city or ZIP works too)."
    return (
        f'No county in {state.name} matches "{echoed(text)}". '
        f"Please write your county (like {example_county(state)}), city or ZIP code."
    )


def example_county(state: places.State) -> str:
    """A real county of the state, to show the form a county takes there."""
    return places.counties_of(state.abbr)[0].name
