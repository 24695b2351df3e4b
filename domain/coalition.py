"""What a state's coalition is set up with: its channel, build meeting and follow-ups.

Hooks for now: the coalitions issue (`/tat setup`) stores these; until then every coalition has
no channel, no build meeting date and no planned follow-up, and callers say so.
"""
from datetime import date, datetime

from sqlalchemy.orm import Session


def coalition_channel(session: Session, team: str, state: str) -> str | None:
    """The coalition channel of a state, where celebrations and nudges are posted; None when none is set."""
    return None


def build_meeting_date(session: Session, team: str, state: str) -> date | None:
    """The coalition build meeting's date, marked on the progress chart; None until one is set."""
    return None


def next_followup(session: Session, team: str, state: str) -> datetime | None:
    """When the next follow-up is planned; None until follow-ups are planned."""
    return None
