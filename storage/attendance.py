"""Who was trained at a state's build meeting: recorded once per person and state, with the training
row each one logged. Every query filters by the workspace (team_id). Session first, never commit."""
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import MeetingAttendance, Stakeholder, Training


def record(session: Session, team: str, attendees: list[dict], at: datetime) -> list[dict]:
    """Record these attendees (state, email, and their training's columns), each once: the ones that
    were new get their training row. Returns those."""
    if not attendees:
        return []
    rows = [{"team_id": team, "state": a["state"], "email": a["email"].lower(), "recorded_at": at} for a in attendees]
    new = {(state, email) for state, email in session.execute(_insert_new(session.get_bind().dialect.name), rows)}
    fresh = [a for a in attendees if (a["state"], a["email"].lower()) in new]
    if fresh:
        ids = _stakeholder_ids(session, team, [a["email"].lower() for a in fresh])
        trainings = [{"team_id": team, "stakeholder_id": ids.get(a["email"].lower()), "logged_by": "meeting",
                      "organization": a["organization"], "state": a["state"], "count": 1, "audience": a["audience"],
                      "program": a["program"], "trained_on": a["trained_on"], "created_at": at} for a in fresh]
        made = session.execute(insert(Training).returning(Training.id, sort_by_parameter_order=True),
                               trainings).scalars().all()
        _link(session, team, fresh, made)
    return fresh


@lru_cache(maxsize=2)
def _insert_new(dialect: str):
    table = MeetingAttendance.__table__
    return (insert_for(dialect)(table).on_conflict_do_nothing(index_elements=["team_id", "state", "email"])
            .returning(table.c.state, table.c.email))


def _stakeholder_ids(session: Session, team: str, emails: list[str]) -> dict[str, int]:
    rows = session.execute(select(func.lower(Stakeholder.email), Stakeholder.id)
                           .where(Stakeholder.team_id == team, func.lower(Stakeholder.email).in_(emails)))
    return {email: stakeholder_id for email, stakeholder_id in rows}


def _link(session: Session, team: str, attendees: list[dict], training_ids: list[int]) -> None:
    """Each new attendee's row names the training it logged (one statement for them all)."""
    session.connection().execute(_link_training(), [
        {"b_team": team, "b_state": a["state"], "b_email": a["email"].lower(), "b_training": training_id}
        for a, training_id in zip(attendees, training_ids, strict=True)])


@lru_cache(maxsize=1)
def _link_training():
    table = MeetingAttendance.__table__
    return update(table).where(table.c.team_id == bindparam("b_team"), table.c.state == bindparam("b_state"),
                               table.c.email == bindparam("b_email")).values(training_id=bindparam("b_training"))
