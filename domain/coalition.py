"""What a state's coalition is set up with (`/tat setup`): its channel, build meeting and next
follow-up, as other features ask for them (celebrations, progress and its chart)."""
from datetime import date, datetime

from sqlalchemy.orm import Session

from storage import coalitions
from storage.models import now


def coalition_channel(session: Session, team: str, state: str) -> str | None:
    """The coalition channel of a state, where celebrations and nudges are posted; None when none is set."""
    found = coalitions.by_state(session, team, state)
    return found.channel_id if found else None


def build_meeting_date(session: Session, team: str, state: str) -> date | None:
    """The coalition build meeting's date, marked on the progress chart; None until one is set."""
    found = coalitions.by_state(session, team, state)
    return found.meeting_date if found else None


def next_followup(session: Session, team: str, state: str, at: datetime | None = None) -> datetime | None:
    """When the next follow-up is planned; None without a coalition or once all have passed."""
    from domain.coalitions import plan  # domain.coalitions asks domain.registration, which this must not

    found = coalitions.by_state(session, team, state)
    upcoming = [when for _, when in plan(found)] if found else []
    moment = at or now()
    return min((when for when in upcoming if when > moment), default=None)


def checkin_answers(session: Session, team: str, state: str) -> dict[int, dict[str, int]]:
    """How the state's stakeholders answered each follow-up's check-in: {months: {answer: how many}}."""
    found = coalitions.by_state(session, team, state)
    return coalitions.answers_by_stage(session, team, found.id) if found else {}
