"""The coalition's CSV, one format in and out: a meeting's registration list imported (all rows or
none), and the export, whose stakeholder rows import as they are.

Columns (a header row names them; any order, any case; other columns are ignored): name, email,
sector, organization, title, phone, state, counties, site, interstate, exit, and optionally
record and status. `counties` is the county (or city, or ZIP) of a site or company, or for law
enforcement and the Attorney General the counties they cover, separated by commas, or
"statewide". `sector` is a sector's code (truck_stop) or its label (Truck stop / travel plaza).
title, site (required for truck stops and bus terminals), interstate and exit may be empty.
`status` (approved, pending, declined) is what an export says; an import approves only when an
admin says so (--approved), and never approves a row whose status says pending or declined.
`record` tells an export's stakeholder rows from its training and report rows, which an import
skips.
"""
import csv
import multiprocessing
import os
import pickle
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import IO

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from domain import places
from domain.csvfile import MAX_CELL, Table, Unreadable
from domain.profile import Invalid, Profile, parse_profile
from domain.sectors import Sector
from storage import roster
from storage.models import now

COLUMNS = ("name", "email", "sector", "organization", "title", "phone", "state", "counties", "site",
           "interstate", "exit")
REQUIRED_COLUMNS = ("name", "email", "sector", "organization", "phone", "state", "counties")
EXPORT_COLUMNS = ("record", *COLUMNS, "status", "date", "count", "audience", "program", "made_to")
STATUSES = ("approved", "pending", "declined")
SKIPPED_RECORDS = ("training", "report")
FORM_FIELD = {"counties": "place", "site": "site_name"}
SECTOR_WORDS = {**{s.value: s for s in Sector}, **{s.label.lower(): s for s in Sector}}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 1000   # rows checked at a time; a list longer than one chunk is checked on every core
BAD_ROWS_LISTED = 100


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass
class Checked:
    """A registration list read and checked: how many rows are good (kept aside in a spool file,
    in chunks), and the bad ones (the first hundred listed, the rest counted)."""

    good: int = 0
    bad: list[BadRow] = field(default_factory=list)
    more_bad: int = 0
    skipped: int = 0   # an export's training and report rows
    spool: IO[bytes] = field(default_factory=tempfile.TemporaryFile)

    @property
    def is_bad(self) -> bool:
        return bool(self.bad)

    def add_bad(self, line: int, reason: str) -> None:
        if len(self.bad) < BAD_ROWS_LISTED:
            self.bad.append(BadRow(line, reason))
        else:
            self.more_bad += 1

    def chunks(self) -> Iterator[list[tuple[int, Profile, str]]]:
        """The good rows, a chunk at a time: (line, profile, status as the file gives it)."""
        self.spool.seek(0)
        while True:
            try:
                yield pickle.load(self.spool)
            except EOFError:
                return

    def close(self) -> None:
        self.spool.close()


@dataclass(frozen=True)
class Imported:
    added: int
    already: int
    not_in_slack: list[tuple[int, str]]


def check(table: Table, progress: Callable[[int], object] = lambda done: None) -> Checked:
    """Read every row and check it as the registration form would; nothing is stored. Rows are read
    and checked a chunk at a time (on every core for a long list), so memory stays flat."""
    checked = Checked()
    missing = [c for c in REQUIRED_COLUMNS if c not in table.header]
    if missing:
        checked.add_bad(1, "the header row lacks the column(s) " + ", ".join(missing) + "; the columns are "
                        + ", ".join(COLUMNS))
        return checked
    seen: dict[str, int] = {}
    try:
        for chunk in _checked_chunks(_rows(table, checked), progress):
            good = []
            for line, result, status in chunk:
                if isinstance(result, str):
                    checked.add_bad(line, result)
                elif (key := result.email.lower()) in seen:
                    checked.add_bad(line, f"email: {result.email} is also on line {seen[key]}")
                else:
                    seen[key] = line
                    good.append((line, result, status))
            checked.good += len(good)
            pickle.dump(good, checked.spool)
    except Unreadable as wrong:
        checked.add_bad(0, str(wrong))
    return checked


def _rows(table: Table, checked: Checked) -> Iterator[tuple[int, dict[str, str] | str]]:
    """Each stakeholder row as {column: cell}, or why it cannot be (the wrong number of cells, say)."""
    width = len(table.header)
    for line, cells in table.records:
        if len(cells) != width:
            yield line, (f"this row has {len(cells)} cells where the header has {width} columns: a cell with a "
                         "comma in it must be in quotes")
            continue
        values = {name: unneutralised(cell) for name, cell in zip(table.header, cells, strict=True)}
        if (values.get("record") or "").strip().lower() in SKIPPED_RECORDS:
            checked.skipped += 1
            continue
        too_long = [name for name, cell in values.items() if len(cell) > MAX_CELL]
        yield line, (f"{', '.join(too_long)}: longer than {MAX_CELL:,} characters" if too_long else values)


def _checked_chunks(rows: Iterator, progress: Callable[[int], object]) -> Iterator[list]:
    """The rows checked, a chunk at a time, in order; a long list on every core, a few chunks ahead."""
    chunks = iter(lambda: list(islice(rows, CHUNK)), [])
    first = next(chunks, None)
    if first is None:
        return
    cores = os.cpu_count() or 1
    if len(first) < CHUNK or cores < 2:
        for chunk in _prepend(first, chunks):
            yield _check_chunk(chunk)
            progress(len(chunk))
        return
    places.warm_up()   # built once, before the workers fork, and shared with them
    with ProcessPoolExecutor(max_workers=cores, mp_context=multiprocessing.get_context("fork")) as pool:
        waiting: deque = deque()
        for chunk in _prepend(first, chunks):
            waiting.append((len(chunk), pool.submit(_check_chunk, chunk)))
            if len(waiting) > 2 * cores:
                yield from _done(waiting, progress)
        while waiting:
            yield from _done(waiting, progress)


def _prepend(first: list, rest: Iterator[list]) -> Iterator[list]:
    yield first
    yield from rest


def _done(waiting: deque, progress: Callable[[int], object]) -> Iterator[list]:
    size, future = waiting.popleft()
    yield future.result()
    progress(size)


def _check_chunk(rows: list[tuple[int, dict | str]]) -> list[tuple[int, Profile | str, str]]:
    results = []
    for line, values in rows:
        if isinstance(values, str):
            results.append((line, values, ""))
            continue
        try:
            results.append((line, _profile(values), _status(values)))
        except Invalid as wrong:
            results.append((line, "; ".join(f"{k}: {v}" for k, v in wrong.errors.items()), ""))
    return results


def _status(values: dict[str, str]) -> str:
    status = (values.get("status") or "").strip().lower()
    if status and status not in STATUSES:
        raise Invalid({"status": "approved, pending or declined, or empty"})
    return status


def _profile(values: dict[str, str]) -> Profile:
    form = {FORM_FIELD.get(c, c): values.get(c, "") for c in COLUMNS}
    errors = {}
    sector = SECTOR_WORDS.get(" ".join(form["sector"].split()).lower())
    if form["sector"].strip() and sector is None:
        errors["sector"] = "not a sector; use one of " + ", ".join(s.value for s in Sector)
    form["sector"] = sector.value if sector else form["sector"]
    try:
        form["email"] = validate_email(form["email"].strip(), check_deliverability=False).normalized
    except EmailNotValidError as wrong:
        if form["email"].strip():
            errors["email"] = str(wrong)
    state = places.find_state(form["state"].strip()) if form["state"].strip() else None
    form["state"] = state.abbr if state else form["state"]
    try:
        profile = parse_profile(form)
    except Invalid as wrong:
        raise Invalid({**wrong.errors, **errors}) from None
    if errors:
        raise Invalid(errors)
    return profile


def import_profiles(session: Session, team: str, checked: Checked, slack_ids: dict[str, str], approved: bool,
                    by: str = "import") -> Imported:
    """Store every checked profile whose e-mail is a Slack user's, once: people already registered (by
    Slack user or e-mail) are left as they are, so importing the same list twice changes nothing.
    Rows go in as bulk inserts, a chunk at a time: fifty thousand people take seconds, not minutes."""
    known_users, known_emails = roster.registered(session, team)
    added, already, missing = 0, 0, []
    for chunk in checked.chunks():
        rows, covers = [], {}
        for line, profile, status in chunk:
            user = slack_ids.get(profile.email.lower())
            if user is None:
                missing.append((line, profile.email))
            elif user in known_users or profile.email.lower() in known_emails:
                already += 1
            else:
                known_users.add(user)
                rows.append(_row(user, profile, _imported_status(status, approved), by))
                if profile.jurisdiction:
                    covers[user] = profile.jurisdiction
        roster.add_stakeholders(session, team, rows, covers)
        added += len(rows)
    return Imported(added, already, missing)


def _imported_status(status: str, approved: bool) -> str:
    """Approved only when an admin says so; a row the file says is pending or declined stays so."""
    if status in ("pending", "declined"):
        return status
    return "approved" if approved else "pending"


def _row(user: str, profile: Profile, status: str, by: str) -> dict:
    at = now()
    values = {name: getattr(profile, name) for name in (
        "name", "organization", "title", "phone", "email", "state", "county_fips", "statewide", "site_name",
        "interstate", "exit")}
    decided = status != "pending"
    return {"slack_user_id": user, "sector": profile.sector.value, "status": status, "revision": 1,
            "decided_by": by if decided else None, "decided_at": at if decided else None,
            "created_at": at, "updated_at": at, **values}


class Stopped(Exception):
    """The export was given up part way (the bot is stopping)."""


def write_export(session: Session, team: str, state: str | None, out: IO[str],
                 keep_going: Callable[[], bool] = lambda: True) -> int:
    """Stakeholders (in the import's columns), then this team's trainings and reports, as one CSV
    written to `out` as the rows stream from the database; how many rows were written. Every
    thousand rows it asks `keep_going`, and raises Stopped when told not to."""
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    written = 0
    for row in _export_rows(session, team, state):
        writer.writerow([neutralised(row.get(column)) for column in EXPORT_COLUMNS])
        written += 1
        if written % 1000 == 0 and not keep_going():
            raise Stopped(f"stopped after {written} rows")
    return written


def _export_rows(session: Session, team: str, state: str | None) -> Iterable[dict]:
    for who in roster.stakeholder_rows(session, team, state):
        yield {"record": "stakeholder", "name": who.name, "email": who.email, "sector": who.sector,
               "organization": who.organization, "title": who.title, "phone": who.phone, "state": who.state,
               "counties": _counties(who), "site": who.site_name, "interstate": who.interstate, "exit": who.exit,
               "status": who.status}
    for row in roster.training_rows(session, team, state):
        yield {"record": "training", "state": row.state, "organization": row.organization,
               "date": row.trained_on.isoformat(), "count": row.count, "audience": row.audience,
               "program": row.program}
    for report in roster.report_rows(session, team, state):
        yield {"record": "report", "state": report.state, "date": report.reported_on.isoformat(), "count": 1,
               "made_to": report.made_to}


def _counties(who) -> str:
    """The `counties` cell as the import reads it: a site's county, "statewide", or the counties covered."""
    if who.statewide:
        return "statewide"
    if who.county_fips:
        county = places.county_by_fips(who.county_fips)
        return county.name if county else ""
    covered = (places.county_by_fips(f) for f in sorted((who.covers or "").split(",")) if f)
    return ", ".join(c.name for c in covered if c)


def neutralised(value) -> str:
    """A cell as text a spreadsheet will not run as a formula: one starting =, +, -, @ gets a leading '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unneutralised(cell: str) -> str:
    """A cell as it was before `neutralised` (so an export imports as it is)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell
