"""Who covers a place: the queries behind /tat contact and introductions. Session first, never commit."""
from functools import lru_cache

from sqlalchemy import Engine, bindparam, case, event, func, select, text, update
from sqlalchemy.orm import Session, lazyload

from storage import directory_watch
from storage.db import insert_for, one_read
from storage.models import ContactConfirmation, Coverage, DirectoryRevision, Stakeholder, site_key

OFFICERS = ("law_enforcement", "attorney_general")
SITES = ("truck_stop", "bus_terminal")
VICTIM_SERVICES = "victim_services"


def _people():
    """Stakeholders as contacts: their coverage only if asked for (a list of contacts never is)."""
    return select(Stakeholder).options(lazyload(Stakeholder.coverage))


def covering(session: Session, team: str, county_fips: str) -> list[Stakeholder]:
    """The workspace's approved law enforcement whose jurisdiction names this county, by name."""
    return list(session.scalars(
        _people().join(Coverage, Coverage.stakeholder_id == Stakeholder.id)
        .where(Coverage.team_id == team, Coverage.county_fips == county_fips, Stakeholder.team_id == team,
               Stakeholder.status == "approved",
               Stakeholder.sector.in_(OFFICERS))
        .order_by(Stakeholder.name, Stakeholder.id)))


def statewide(session: Session, team: str, state: str) -> list[Stakeholder]:
    """The workspace's approved law enforcement and AG contacts of the whole state, by name."""
    return list(session.scalars(
        _people()
        .where(Stakeholder.team_id == team, Stakeholder.state == state, Stakeholder.sector.in_(OFFICERS),
               Stakeholder.status == "approved",
               Stakeholder.statewide.is_(True))
        .order_by(Stakeholder.name, Stakeholder.id)))


# The victim-service page /tat contact reads on every call, built once: only its parameters change.
_HELPERS = (
    _people().add_columns(func.count().over().label("total"))
    .where(Stakeholder.team_id == bindparam("team"), Stakeholder.state == bindparam("state"),
           Stakeholder.sector == VICTIM_SERVICES,
           Stakeholder.status == "approved")
    .order_by(case((Stakeholder.county_fips == bindparam("county"), 0), else_=1), Stakeholder.name, Stakeholder.id)
    .offset(bindparam("offset")).limit(bindparam("limit")))


def officers(session: Session, team: str, state: str, county_fips: str | None) -> list[tuple[Stakeholder, bool]]:
    """Approved law enforcement covering the county (True), then the state's statewide contacts
    (False), each by name; someone who is both is listed once, as covering the county. (Two
    indexed queries: one with OR between them scans the table on PostgreSQL.)"""
    local = covering(session, team, county_fips) if county_fips else []
    seen = {who.id for who in local}
    return [(who, True) for who in local] + [(who, False) for who in statewide(session, team, state)
                                             if who.id not in seen]


def _county_officers(team: str, state: str):
    return (select(Coverage.county_fips).join(Stakeholder, Coverage.stakeholder_id == Stakeholder.id)
            .where(Stakeholder.team_id == team, Stakeholder.state == state, Stakeholder.status == "approved",
                   Stakeholder.sector.in_(OFFICERS)))


def count_county_officers(session: Session, team: str, state: str) -> int:
    """How many (officer, county) pairs the state's approved law enforcement covers by name."""
    return session.scalar(select(func.count()).select_from(_county_officers(team, state).subquery()))


def county_officers(session: Session, team: str, state: str, offset: int = 0,
                    limit: int = 12) -> list[tuple[Stakeholder, str]]:
    """One page of the state's approved law enforcement with each county they cover by name (one row
    a county), by county (FIPS order, which is by name within a state) and then by name."""
    rows = session.execute(
        _people().add_columns(Coverage.county_fips).join(Coverage, Coverage.stakeholder_id == Stakeholder.id)
        .where(Stakeholder.team_id == team, Stakeholder.state == state, Stakeholder.status == "approved",
               Stakeholder.sector.in_(OFFICERS))
        .order_by(Coverage.county_fips, Stakeholder.name, Stakeholder.id).offset(offset).limit(limit))
    return [(who, fips) for who, fips in rows]


def victim_services(session: Session, team: str, state: str, county_fips: str | None, offset: int = 0,
                    limit: int = 12) -> tuple[list[Stakeholder], int]:
    """One page of the state's approved victim service providers, the county's first, and how
    many there are in all (a page past the end counts them apart)."""
    rows = session.execute(_HELPERS, {"team": team, "state": state, "county": county_fips or "", "offset": offset,
                                      "limit": limit}).all()
    if rows:
        return [who for who, _ in rows], rows[0][1]
    return [], count_victim_services(session, team, state)


def count_victim_services(session: Session, team: str, state: str) -> int:
    return session.scalar(select(func.count()).select_from(Stakeholder).where(*_helping(team, state)))


def _helping(team: str, state: str) -> tuple:
    return (Stakeholder.team_id == team, Stakeholder.state == state, Stakeholder.sector == VICTIM_SERVICES,
            Stakeholder.status == "approved")


def counties_with_officers(session: Session, team: str, state: str) -> set[str]:
    """The state's counties that some approved law enforcement of the workspace covers by name."""
    return set(session.scalars(
        select(Coverage.county_fips).distinct().join(Stakeholder, Coverage.stakeholder_id == Stakeholder.id)
        .where(Stakeholder.team_id == team, Stakeholder.state == state, Stakeholder.status == "approved",
               Stakeholder.sector.in_(OFFICERS))))


def sites_in(session: Session, team: str, state: str, counties: tuple[str, ...] | None) -> list[Stakeholder]:
    """The workspace's approved truck stops and terminals of the state, in these counties (None: anywhere)."""
    query = select(Stakeholder).where(Stakeholder.team_id == team, Stakeholder.state == state,
                                      Stakeholder.sector.in_(SITES),
                                      Stakeholder.status == "approved").order_by(Stakeholder.id)
    if counties is not None:
        query = query.where(Stakeholder.county_fips.in_(counties))
    return list(session.scalars(query))


def site_named(session: Session, team: str, name: str) -> Stakeholder | None:
    """The workspace's approved truck stop or terminal of that name (any case, in any alphabet), if
    exactly one has it."""
    found = list(session.scalars(
        select(Stakeholder).where(Stakeholder.team_id == team, Stakeholder.site_key == site_key(name),
                                  Stakeholder.sector.in_(SITES), Stakeholder.status == "approved").limit(2)))
    return found[0] if len(found) == 1 else None


# The directory's revision, one a workspace: raised as each transaction that changed its stakeholders
# or their coverage commits, so a lookup can tell in one read whether what it remembers is still true.

_CHANGED = "tat_directory_changed"   # the workspaces a session changed (EVERY: it cannot tell which)
_RAISED = "tat_directory_raised"
EVERY = "*"
_WATCHED = frozenset({Stakeholder.__tablename__, Coverage.__tablename__,
                      ContactConfirmation.__tablename__})   # /tat contact shows who is unconfirmed


def watch_changes(sessions) -> None:
    """Have every session of this factory raise the revision when it commits a change to the
    directory, however it was written (objects, bulk inserts, UPDATE statements)."""
    event.listen(sessions, "do_orm_execute", _noticed_statement)
    event.listen(sessions, "after_flush", _noticed_flush)
    event.listen(sessions, "before_commit", _raise_revision)
    event.listen(sessions, "after_commit", _tell_watch)
    event.listen(sessions, "after_rollback", _forget)


def _noticed_statement(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and state.statement.table.name in _WATCHED:
        given = state.parameters
        rows = given if isinstance(given, list) else [given] if isinstance(given, dict) else []
        teams = {row.get("team_id") for row in rows} if state.is_insert and rows else {EVERY}
        state.session.info.setdefault(_CHANGED, set()).update(t if isinstance(t, str) else EVERY for t in teams)


def _noticed_flush(session: Session, _context) -> None:
    watched = (Stakeholder, Coverage, ContactConfirmation)
    teams = {row.team_id or EVERY for row in (*session.new, *session.dirty, *session.deleted)
             if isinstance(row, watched)}
    if teams:
        session.info.setdefault(_CHANGED, set()).update(teams)


def _raise_revision(session: Session) -> None:
    session.flush()   # changes still pending are flushed by commit only after this hook
    teams = session.info.pop(_CHANGED, None)
    if teams:
        dialect = session.get_bind().dialect.name
        if EVERY in teams:   # changed by a statement that names no workspace: every one's moves
            session.execute(update(DirectoryRevision).values(revision=DirectoryRevision.revision + 1)
                            .execution_options(synchronize_session=False))
        for team in sorted(teams - {EVERY}):
            session.execute(_raise(dialect), {"team_id": team})
        if dialect == "postgresql":
            watch = directory_watch.watch_of(session.get_bind())   # heard by every process as this commits
            session.execute(text(f"SELECT pg_notify('{directory_watch.CHANNEL}', {directory_watch.payload(watch)})"))
        session.info[_RAISED] = True


def _tell_watch(session: Session) -> None:
    """This process's own change moves its watch's token before the commit returns."""
    if session.info.pop(_RAISED, False) and (watch := directory_watch.watch_of(session.get_bind())):
        watch.changed()


@lru_cache(maxsize=2)
def _raise(dialect: str):
    """Raise the workspace's revision, making its row if it is missing (a new workspace, or a table
    emptied by hand, starts again)."""
    table = DirectoryRevision.__table__
    insert = insert_for(dialect)
    made = insert(table).values(team_id=bindparam("team_id"), revision=1)
    return made.on_conflict_do_update(index_elements=[table.c.team_id], set_={"revision": table.c.revision + 1})


def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_RAISED, None)


_REVISION = (select(func.coalesce(func.max(DirectoryRevision.revision), 0))
             .where(DirectoryRevision.team_id == bindparam("team")).scalar_subquery())
_ASKER = (select(Stakeholder.status, Stakeholder.state, Stakeholder.county_fips,
                 select(func.min(Coverage.county_fips)).where(Coverage.stakeholder_id == Stakeholder.id)
                 .scalar_subquery(), _REVISION)
          .where(Stakeholder.team_id == bindparam("team"), Stakeholder.slack_user_id == bindparam("user")))


def revision(session: Session, team: str) -> int:
    return session.scalar(select(_REVISION), {"team": team})


def asker(engine: Engine, team: str, user: str):
    """Who is asking, as /tat contact needs them (status, state, county, first county covered), and
    their workspace's directory revision, in one statement; None if they have not registered. It
    reads on a connection of its own: a lookup answered from what was remembered starts no session."""
    with one_read(engine) as connection:
        return connection.execute(_ASKER, {"team": team, "user": user}).one_or_none()
