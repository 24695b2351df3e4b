"""Members who leave Slack leave the coalition directory at once, and their state's leads are told.

A member deactivated in Slack (a `user_change` event, or `users.info` when a message is about to
reach them) is no longer shown in `/tat contact`, introduced or checked in: their registration is
`deactivated`, a new revision, so that no request or button about the old one still acts. Should
Slack reactivate them, their registration waits for an approver again.
"""
from datetime import datetime

from sqlalchemy.orm import Session

from domain import notices
from domain.notices import ApprovalRequest, MemberLeft
from domain.registration import Status, ask_admins
from storage import coalitions, outbox, stakeholders
from storage.models import Stakeholder


def deactivate(session: Session, team_id: str, user: str, admins: frozenset[str], at: datetime) -> bool:
    """Take a member deactivated in Slack out of the directory, once; True when this changed it. The
    state's leads (the admins, where the state has none) are told of one who was approved."""
    who = stakeholders.by_slack_user(session, team_id, user, for_update=True)
    if who is None or who.status not in (Status.APPROVED, Status.PENDING):
        return False
    was_approved = who.status == Status.APPROVED
    who.status, who.revision = Status.DEACTIVATED, who.revision + 1
    session.flush()
    outbox.cancel_unsent(session, ApprovalRequest.prefix(who.id), at)
    if was_approved:
        notices.queue_all(session, team_id, [MemberLeft(team_id, who.id, who.revision, lead)
                                    for lead in sorted(told_of(session, team_id, who, admins))], not_before=at)
    return True


def reactivate(session: Session, team_id: str, user: str, admins: frozenset[str], at: datetime) -> bool:
    """A member Slack reactivated waits for an approver again (their post may have changed)."""
    who = stakeholders.by_slack_user(session, team_id, user, for_update=True)
    if who is None or who.status != Status.DEACTIVATED:
        return False
    who.status, who.revision, who.decided_by, who.decided_at = Status.PENDING, who.revision + 1, None, None
    session.flush()
    ask_admins(session, who, admins, is_new=False)
    return True


def told_of(session: Session, team_id: str, who: Stakeholder, admins: frozenset[str]) -> set[str]:
    """Who hears that a member left: the state's coalition leads, else the admins; never the member."""
    return (set(coalitions.leads_of(session, team_id, who.state)) or set(admins)) - {who.slack_user_id}


def recipient_gone(session: Session, team_id: str, user: str, admins: frozenset[str], at: datetime) -> bool:
    """Slack says the person a message was for is deactivated: they leave, in the workspace the
    message was for (the outbox row's)."""
    return deactivate(session, team_id, user, admins, at)
