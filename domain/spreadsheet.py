"""CSV in and out: a meeting's registration list imported (all rows or none), and the export.

The registration list has a header row with these columns (any order, any case; extra columns
are ignored): name, email, sector, organization, title, phone, state, counties, site, interstate,
exit. `counties` is the county (or city, or ZIP) of a site or company, or for law enforcement and
the Attorney General the counties they cover, separated by commas, or "statewide". `sector` is
a sector's code (truck_stop) or its label (Truck stop / travel plaza). title, site (required
for truck stops and bus terminals), interstate and exit may be empty.
"""
import csv
import io
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from domain import places
from domain.bounds import FORM_TEXT, longer_than
from domain.profile import Invalid, Profile, parse_profile
from domain.sectors import Sector
from storage import progress
from storage.models import Coverage, Stakeholder, now

COLUMNS = ("name", "email", "sector", "organization", "title", "phone", "state", "counties", "site",
           "interstate", "exit")
REQUIRED_COLUMNS = ("name", "email", "sector", "organization", "phone", "state", "counties")
FORM_FIELD = {"counties": "place", "site": "site_name"}
SECTOR_WORDS = {**{s.value: s for s in Sector}, **{s.label.lower(): s for s in Sector}}
CHUNK = 1000
PARALLEL_FROM = 5000   # rows: a shorter list is checked in this process
EXPORT_COLUMNS = ("record", "state", "name", "organization", "sector", "title", "phone", "email", "county",
                  "statewide", "status", "date", "count", "audience", "program", "made_to")


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass
class Checked:
    """A registration list read and checked: the profiles, or every bad row."""

    profiles: list[tuple[int, Profile]] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)


@dataclass(frozen=True)
class Imported:
    added: int
    already: int
    not_in_slack: list[tuple[int, str]]


def check(text: str, progress: Callable[[int], object] = lambda done: None) -> Checked:
    """Read every row and check it as the registration form would; nothing is stored. `progress` is
    told how many more rows were checked. A long list is checked on every core."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = {(h or "").strip().lower() for h in reader.fieldnames or []}
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        return Checked(bad=[BadRow(1, "the header row lacks the column(s) " + ", ".join(missing)
                                   + "; the columns are " + ", ".join(COLUMNS))])
    rows = [(reader.line_num, {(k or "").strip().lower(): v for k, v in row.items() if isinstance(v, str)})
            for row in reader]
    checked, seen = Checked(), {}
    for line, result in _checked_rows(rows, progress):
        if isinstance(result, dict):
            checked.bad.append(BadRow(line, "; ".join(f"{k}: {v}" for k, v in result.items())))
        elif (key := result.email.lower()) in seen:
            checked.bad.append(BadRow(line, f"email: {result.email} is also on line {seen[key]}"))
        else:
            seen[key] = line
            checked.profiles.append((line, result))
    return checked


def _checked_rows(rows: list[tuple[int, dict]], progress: Callable[[int], object]):
    """Each row's Profile, or its errors by field, in the order of the rows."""
    chunks = [rows[i:i + CHUNK] for i in range(0, len(rows), CHUNK)]
    cores = os.cpu_count() or 1
    if len(rows) < PARALLEL_FROM or cores < 2:
        for chunk in chunks:
            yield from _check_chunk(chunk)
            progress(len(chunk))
        return
    places.warm_up()   # built once, before the workers fork, and shared with them
    with ProcessPoolExecutor(max_workers=cores, mp_context=multiprocessing.get_context("fork")) as pool:
        for chunk, results in zip(chunks, pool.map(_check_chunk, chunks), strict=True):
            yield from results
            progress(len(chunk))


def _check_chunk(rows: list[tuple[int, dict]]) -> list[tuple[int, Profile | dict[str, str]]]:
    results = []
    for line, values in rows:
        try:
            results.append((line, _profile(values)))
        except Invalid as wrong:
            results.append((line, wrong.errors))
    return results


def _profile(values: dict[str, str]) -> Profile:
    if too_long := longer_than(values, dict.fromkeys(COLUMNS, FORM_TEXT)):   # no cell is read past a form's bound
        raise Invalid(too_long)
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


def import_profiles(session: Session, checked: Checked, slack_ids: dict[str, str], approved: bool,
                    by: str = "import") -> Imported:
    """Store every checked profile whose e-mail is a Slack user's, once: people already registered (by
    Slack user or e-mail) are left as they are, so importing the same list twice changes nothing.
    Rows go in as bulk inserts: fifty thousand people take seconds, not minutes."""
    known_users = set(session.scalars(select(Stakeholder.slack_user_id)))
    known_emails = set(session.scalars(select(func.lower(Stakeholder.email))))
    added, covers, already, missing = [], {}, 0, []
    for line, profile in checked.profiles:
        user = slack_ids.get(profile.email.lower())
        if user is None:
            missing.append((line, profile.email))
        elif user in known_users or profile.email.lower() in known_emails:
            already += 1
        else:
            known_users.add(user)
            added.append(_row(user, profile, approved, by))
            if profile.jurisdiction:
                covers[user] = profile.jurisdiction
    if added:
        session.execute(insert(Stakeholder), added)
    if covers:
        ids = {user: key for user, key in session.execute(select(Stakeholder.slack_user_id, Stakeholder.id))}
        session.execute(insert(Coverage), [{"stakeholder_id": ids[user], "county_fips": fips}
                                           for user, counties in covers.items() for fips in counties])
    return Imported(len(added), already, missing)


def _row(user: str, profile: Profile, approved: bool, by: str) -> dict:
    at = now()
    values = {name: getattr(profile, name) for name in (
        "name", "organization", "title", "phone", "email", "state", "county_fips", "statewide", "site_name",
        "interstate", "exit")}
    return {"slack_user_id": user, "sector": profile.sector.value, "status": "approved" if approved else "pending",
            "revision": 1, "decided_by": by if approved else None, "decided_at": at if approved else None,
            "created_at": at, "updated_at": at, **values}


def export_csv(session: Session, team: str, state: str | None = None) -> str:
    """Stakeholders, trainings and reports (this team's) as one CSV, a `record` column telling them apart."""
    out = io.StringIO()
    writer = _SafeWriter(csv.DictWriter(out, EXPORT_COLUMNS, extrasaction="ignore"))
    writer.writer.writeheader()
    query = select(Stakeholder).order_by(Stakeholder.state, Stakeholder.organization, Stakeholder.name)
    for who in session.scalars(query.where(Stakeholder.state == state) if state else query):
        county = places.county_by_fips(who.county_fips) if who.county_fips else None
        covered = ", ".join(c.name for f in who.jurisdiction if (c := places.county_by_fips(f)))
        writer.writerow({"record": "stakeholder", "state": who.state, "name": who.name,
                         "organization": who.organization, "sector": who.sector, "title": who.title,
                         "phone": who.phone, "email": who.email, "county": county.name if county else covered,
                         "statewide": "yes" if who.statewide else "", "status": who.status})
    for row in progress.trainings(session, team, state):
        writer.writerow({"record": "training", "state": row.state, "organization": row.organization,
                         "date": row.trained_on.isoformat(), "count": row.count, "audience": row.audience,
                         "program": row.program})
    for report in progress.reports(session, team, state):
        writer.writerow({"record": "report", "state": report.state, "date": report.reported_on.isoformat(),
                         "count": 1, "made_to": report.made_to})
    return out.getvalue()


class _SafeWriter:
    """Writes rows with any cell a spreadsheet would run as a formula (=, +, -, @) quoted as text."""

    def __init__(self, writer: csv.DictWriter):
        self.writer = writer

    def writerow(self, row: dict) -> None:
        self.writer.writerow({k: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v
                              for k, v in row.items()})
