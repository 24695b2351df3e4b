"""The directory as rows, for the CSV import and export: plain rows streamed from the database
(no ORM object per stakeholder) and bulk inserts. Functions take the session first and never commit."""
from collections.abc import Iterator

from sqlalchemy import func, insert, select, union
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from storage.models import Coalition, Coverage, Report, Stakeholder, Training, site_key

STREAM = 1000   # rows fetched at a time


def stakeholder_rows(session: Session, team: str, state: str | None = None) -> Iterator[Row]:
    """Every stakeholder of the workspace (of one state) with the FIPS codes they cover, comma-separated,
    in `covers`."""
    covers = (select(Coverage.stakeholder_id, func.aggregate_strings(Coverage.county_fips, ",").label("covers"))
              .where(Coverage.team_id == team).group_by(Coverage.stakeholder_id).subquery())
    s = Stakeholder
    query = (select(s.name, s.email, s.sector, s.organization, s.title, s.phone, s.state, s.county_fips,
                    s.statewide, s.site_name, s.interstate, s.exit, s.status, covers.c.covers)
             .outerjoin(covers, covers.c.stakeholder_id == s.id).where(s.team_id == team)
             .order_by(s.state, s.organization, s.name, s.id))
    if state:
        query = query.where(s.state == state)
    yield from session.execute(query.execution_options(yield_per=STREAM))


def training_rows(session: Session, team: str, state: str | None = None) -> Iterator[Row]:
    t = Training
    query = (select(t.state, t.organization, t.trained_on, t.count, t.audience, t.program)
             .where(t.team_id == team).order_by(t.state, t.trained_on, t.id))
    yield from session.execute((query.where(t.state == state) if state else query).execution_options(yield_per=STREAM))


def report_rows(session: Session, team: str, state: str | None = None) -> Iterator[Row]:
    r = Report
    query = select(r.state, r.reported_on, r.made_to).where(r.team_id == team).order_by(r.state, r.reported_on, r.id)
    yield from session.execute((query.where(r.state == state) if state else query).execution_options(yield_per=STREAM))


def known_teams(session: Session) -> set[str]:
    """The Slack workspaces this database holds rows of (stakeholders, coalitions, trainings, reports)."""
    found = union(select(Stakeholder.team_id), select(Coalition.team_id), select(Training.team_id),
                  select(Report.team_id))
    return set(session.scalars(select(found.subquery().c[0])))


def registered(session: Session, team: str) -> tuple[set[str], set[str]]:
    """Who is registered already in the workspace: their Slack user ids, and their e-mail addresses lower-cased."""
    users = set(session.scalars(select(Stakeholder.slack_user_id).where(Stakeholder.team_id == team)))
    return users, set(session.scalars(select(func.lower(Stakeholder.email)).where(Stakeholder.team_id == team)))


def add_stakeholders(session: Session, team: str, rows: list[dict], covers: dict[str, tuple[str, ...]]) -> None:
    """Insert the workspace's stakeholders (column values) and the counties each covers (by Slack user
    id), in bulk."""
    if rows:
        session.execute(insert(Stakeholder), [{**row, "team_id": team, "site_key": site_key(row.get("site_name"))}
                                              for row in rows])
    if covers:
        query = select(Stakeholder.slack_user_id, Stakeholder.id).where(
            Stakeholder.team_id == team, Stakeholder.slack_user_id.in_(list(covers)))
        ids = dict(session.execute(query).all())
        session.execute(insert(Coverage), [{"team_id": team, "stakeholder_id": ids[user], "county_fips": fips}
                                           for user, counties in covers.items() for fips in counties])
