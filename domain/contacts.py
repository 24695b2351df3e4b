"""Who a coalition member calls: the law enforcement and victim-service contacts of a place.

County contacts come first (their jurisdiction names the county), then the state's statewide
ones, then victim service providers (the county's first). Only approved stakeholders see them.
"""
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.orm import Session

from domain import places
from domain.places import County, Place, State
from storage import directory
from storage.models import Stakeholder


@dataclass(frozen=True)
class Entry:
    """One contact as shown: which list it is in, and who."""

    group: str    # "local", "statewide" or "victim_services"
    who: Stakeholder


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


def asker(session: Session, user: str) -> tuple[Asker | None, int | None]:
    """The person asking, and the directory's revision (see `Remembered`), in one query."""
    row = directory.asker(session.get_bind(), user)
    if row is None:
        return None, None
    status, state, county, first_county, revision = row
    return Asker(status, state, county, (first_county,) if first_county else ()), revision


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


def find_place(session: Session, text: str) -> Place:
    """A county, city, ZIP or state as SPEC writes them; failing those, an approved site's name."""
    found = places.resolve(text)
    if found.found or found.is_ambiguous:
        return found
    site = directory.site_named(session, text)
    county = places.county_by_fips(site.county_fips) if site and site.county_fips else None
    return Place(county=county, state=places.find_state(county.state)) if county else found


def directory_of(session: Session, place: Place, page: int = 1, per_page: int = 12) -> Directory:
    """Everyone to call about a place, in the order they are shown: one page of them (a page past
    the last is the last)."""
    state, county = place.state, place.county
    fips = county.fips if county else None
    officers = [Entry("local" if local else "statewide", who)
                for who, local in directory.officers(session, state.abbr, fips)]
    page = max(page, 1)
    while True:
        start = (page - 1) * per_page
        entries = officers[start:start + per_page]
        helpers, helping = directory.victim_services(session, state.abbr, fips, offset=max(0, start - len(officers)),
                                                     limit=per_page - len(entries))
        total = len(officers) + helping
        pages = max(1, -(-total // per_page))
        if page <= pages:
            entries += [Entry("victim_services", s) for s in helpers]
            return Directory(state, county, entries, total, page, per_page)
        page = pages   # past the end: the last page


Shown = TypeVar("Shown")


class Remembered:
    """Pages of contacts as last shown, kept while the directory is unchanged. Each use costs one
    read of the directory's revision (see `storage.directory`), in place of reading and rendering
    a page: any change to stakeholders, by this process or another, makes the next lookup read
    afresh. A minute at most bounds what a change made behind the bot's back (by hand, in SQL)
    could leave showing."""

    LIFETIME = 60.0
    SIZE = 4096

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._pages: dict[tuple, tuple[int, float, object]] = {}

    def page(self, session: Session, place: Place, page: int, revision: int | None,
             show: Callable[[], Shown]) -> Shown:
        """`show()` for this page of the place, or what it gave last time if still true.
        `revision` is the directory's, if already read in this transaction before `show` reads."""
        if revision is None:
            revision = directory.revision(session)
        key = (place.state.abbr, place.county.fips if place.county else None, page)
        kept = self._pages.get(key)
        if kept and kept[0] == revision and kept[1] > self._clock():
            return kept[2]
        shown = show()
        if len(self._pages) >= self.SIZE:
            self._pages.clear()
        self._pages[key] = (revision, self._clock() + self.LIFETIME, shown)
        return shown


_REMEMBERED: WeakKeyDictionary = WeakKeyDictionary()


def remembered(session: Session) -> Remembered:
    """The pages remembered for this session's database: one per connection pool, which an engine
    shares with its read-only form (tests run several databases in one process)."""
    pool = session.get_bind().pool
    found = _REMEMBERED.get(pool)
    if found is None:
        found = _REMEMBERED[pool] = Remembered()
    return found
