"""Who a coalition member calls: the law enforcement and victim-service contacts of a place.

County contacts come first (their jurisdiction names the county), then the state's statewide
ones, then victim service providers (the county's first). Only approved stakeholders see them.
"""
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.orm import Session

from domain import confirmations, places
from domain.places import County, Place, State
from storage import directory, directory_watch
from storage.models import Stakeholder


@dataclass(frozen=True)
class Entry:
    """One contact as shown: which list it is in, and who."""

    group: str    # "local", "statewide" or "victim_services"
    who: Stakeholder
    unconfirmed_since: date | None = None   # left their yearly question unanswered: last known good then
    county: County | None = None   # the county a local contact is listed under in a whole state's list


@dataclass(frozen=True)
class Directory:
    """One page of the contacts of a county, or of a whole state."""

    state: State
    county: County | None
    entries: list[Entry]   # this page's
    total: int             # on every page
    page: int = 1
    per_page: int = 12

    @property
    def has_more(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def label(self) -> str:
        return self.county.label if self.county else self.state.name

    @property
    def place_text(self) -> str:
        """What to type to look this place up again, unambiguously."""
        return self.county.label if self.county else self.state.name


@dataclass(frozen=True)
class Asker:
    """Who is asking for contacts, as much as a lookup needs of them."""

    status: str
    state: str
    county_fips: str | None
    jurisdiction: tuple[str, ...]


def asker(session: Session, team: str, user: str) -> tuple[Asker | None, tuple | None]:
    """The person asking, and the version of the directory the answer is good for (see
    `Remembered`): read in one query, or, while this process hears the directory's changes, as
    read since the last change. An unregistered person's version is only what was heard, if any."""
    book = remembered(session)
    heard = book.heard(session)
    if heard is not None and (kept := book.recall(("caller", team, user), heard)) is not None:
        return kept, heard
    row = directory.asker(session.get_bind(), team, user)
    if row is None:
        return None, heard
    status, state, county, first_county, revision = row
    who = Asker(status, state, county, (first_county,) if first_county else ())
    if heard is None:
        return who, ("read", revision)
    book.keep(("caller", team, user), heard, who)
    return who, heard


def may_see_contacts(who: Stakeholder | Asker | None, is_admin: bool) -> bool:
    """Law enforcement details are for approved stakeholders (and the coalition's admins) only."""
    return is_admin or (who is not None and who.status == "approved")


def home_place(who: Stakeholder | Asker | None) -> Place:
    """Where the caller is: a site's or company's county, an officer's first county, else their state."""
    if who is None:
        return Place()
    fips = who.county_fips or (who.jurisdiction[0] if who.jurisdiction else None)
    county = places.county_by_fips(fips) if fips else None
    state = places.find_state(who.state) if who.state else None
    if county:
        return Place(county=county, state=places.find_state(county.state))
    return Place(state=state) if state else Place()


def find_place(session: Session, team: str, text: str) -> Place:
    """A county, city, ZIP or state as SPEC writes them; failing those, an approved site's name."""
    found = places.resolve(text)
    if found.found or found.is_ambiguous or len(text) > places.PLACE_TEXT:
        return found
    site = directory.site_named(session, team, text)
    county = places.county_by_fips(site.county_fips) if site and site.county_fips else None
    return Place(county=county, state=places.find_state(county.state)) if county else found


def directory_of(session: Session, place: Place, page: int = 1, per_page: int = 12, *, team: str,
                 at: datetime | None = None) -> Directory:
    """Everyone to call about a place, in the order they are shown: one page of them (a page past
    the last is the last). A county's: those covering it, then the state's statewide contacts; a
    whole state's: its statewide contacts, then each county's, county by county; then the victim
    service providers (the county's first). With a workspace and a time, each contact who left their
    yearly question unanswered says since when their details are unconfirmed."""
    state, county = place.state, place.county
    fips = county.fips if county else None
    parts = _officer_parts(session, team, state, county)
    before = sum(part.total for part in parts)
    page = max(page, 1)
    while True:
        start = (page - 1) * per_page
        entries = _page_of(parts, start, per_page)
        helpers, helping = directory.victim_services(session, team, state.abbr, fips, offset=max(0, start - before),
                                                     limit=per_page - len(entries))
        total = before + helping
        pages = max(1, -(-total // per_page))
        if page <= pages:
            entries += [Entry("victim_services", s) for s in helpers]
            return Directory(state, county, _with_confirmations(session, entries, state, team, at), total, page,
                             per_page)
        page = pages   # past the end: the last page


@dataclass(frozen=True)
class _Part:
    """Some of a directory's law enforcement: how many, and a slice of them on demand."""

    total: int
    rows: Callable[[int, int], list[Entry]]   # offset, limit


def _officer_parts(session: Session, team: str, state: State, county: County | None) -> list[_Part]:
    """A county's officers (in one list), or a whole state's: statewide ones, then by county (paged)."""
    if county is not None:
        officers = [Entry("local" if local else "statewide", who)
                    for who, local in directory.officers(session, team, state.abbr, county.fips)]
        return [_Part(len(officers), lambda offset, limit: officers[offset:offset + limit])]
    statewide = [Entry("statewide", who) for who, _ in directory.officers(session, team, state.abbr, None)]
    by_county = lambda offset, limit: [  # noqa: E731
        Entry("local", who, county=places.county_by_fips(fips))
        for who, fips in directory.county_officers(session, team, state.abbr, offset, limit)]
    return [_Part(len(statewide), lambda offset, limit: statewide[offset:offset + limit]),
            _Part(directory.count_county_officers(session, team, state.abbr), by_county)]


def _page_of(parts: list[_Part], start: int, wanted: int) -> list[Entry]:
    """The entries from `start`, `wanted` at most, across the parts in order."""
    entries: list[Entry] = []
    for part in parts:
        if start < part.total and len(entries) < wanted:
            entries += part.rows(start, wanted - len(entries))
        start = max(0, start - part.total)
    return entries


def _with_confirmations(session: Session, entries: list[Entry], state: State, team: str,
                        at: datetime | None) -> list[Entry]:
    if at is None:
        return entries
    late = confirmations.unconfirmed(session, team, state.abbr, [e.who.id for e in entries], at)
    return [replace(e, unconfirmed_since=late.get(e.who.id)) for e in entries]


Shown = TypeVar("Shown")


class Remembered:
    """Pages of contacts as last shown, and who asked, kept while the directory is unchanged.

    A version says which directory an answer was read from. On PostgreSQL the process hears every
    change (`storage.directory_watch`), and a lookup answered from here asks the database nothing;
    otherwise (SQLite, or while not hearing) each lookup reads the directory's revision with the
    caller, in one query, and only the page is kept. A minute at most bounds what a change made
    behind the bot's back (by hand, in SQL) could leave showing."""

    LIFETIME = 60.0
    SIZE = 4096

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._kept: dict[tuple, tuple[tuple, float, object]] = {}

    @staticmethod
    def heard(session: Session) -> tuple | None:
        """The version this process has heard of, if it is hearing the directory's changes."""
        watch = directory_watch.watch_of(session.get_bind())
        token = watch.token() if watch else None
        return None if token is None else ("heard", token)

    def page(self, session: Session, place: Place, page: int, version: tuple | None,
             show: Callable[[], Shown], team: str) -> Shown:
        """`show()` for this page of the place, or what it gave last time if still true. `version`
        is the one read with the caller, before `show` reads."""
        if version is None:
            version = self.heard(session) or ("read", directory.revision(session, team))
        key = ("page", team, place.state.abbr, place.county.fips if place.county else None, page)
        kept = self.recall(key, version)
        if kept is not None:
            return kept
        shown = show()
        self.keep(key, version, shown)
        return shown

    def recall(self, key: tuple, version: tuple):
        kept = self._kept.get(key)
        return kept[2] if kept and kept[0] == version and kept[1] > self._clock() else None

    def keep(self, key: tuple, version: tuple, value) -> None:
        if len(self._kept) >= self.SIZE:
            self._kept.clear()
        self._kept[key] = (version, self._clock() + self.LIFETIME, value)


_REMEMBERED: WeakKeyDictionary = WeakKeyDictionary()


def remembered(session: Session) -> Remembered:
    """The pages remembered for this session's database: one per connection pool, which an engine
    shares with its read-only form (tests run several databases in one process)."""
    pool = session.get_bind().pool
    found = _REMEMBERED.get(pool)
    if found is None:
        found = _REMEMBERED[pool] = Remembered()
    return found
