"""Language notes given and channels where they are off. Session first, never commit."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import insert_for, now_in
from storage.models import LanguageNote, LanguageSetting


def _insert(session: Session):
    return insert_for(session.get_bind().dialect.name)


def note_once(session: Session, team_id: str, user: str, term: str, day: date) -> bool:
    """Record a note of this term to this person today; False when one was recorded already."""
    added = session.execute(_insert(session)(LanguageNote).values(
        team_id=team_id, user_id=user, term=term, day=day).on_conflict_do_nothing().returning(LanguageNote.term))
    return added.scalar() is not None


def enabled(session: Session, team_id: str, channel: str) -> bool:
    """Notes are on unless an admin turned them off in this channel."""
    setting = session.scalar(select(LanguageSetting.enabled).where(
        LanguageSetting.team_id == team_id, LanguageSetting.channel_id == channel))
    return setting is None or setting


def set_enabled(session: Session, team_id: str, channel: str, on: bool, admin: str) -> None:
    insert = _insert(session)(LanguageSetting).values(team_id=team_id, channel_id=channel, enabled=on,
                                                      changed_by=admin, changed_at=now_in(session))
    session.execute(insert.on_conflict_do_update(
        index_elements=["team_id", "channel_id"],
        set_={"enabled": insert.excluded.enabled, "changed_by": insert.excluded.changed_by,
              "changed_at": insert.excluded.changed_at}))
