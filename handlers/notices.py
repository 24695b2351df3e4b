"""What each notice the bot owes looks like, rendered when it is sent from what it refers to.

The sender calls `render` for every message it is about to send, in the transaction that
claimed it: what the notice shows is gathered in domain/shown.py, and each renderer here receives
it and runs no query of its own. None means the notice no longer applies (the request was
decided, the person is gone), and the message is dropped. A kind this version does not know (`notices.UnknownKind`), or
a renderer that raises, makes the message a dead letter with the reason, tried again by a sender
that knows the kind (`KINDS`). This registry is all the sender knows of handlers/.
"""
import logging
from datetime import datetime

from sqlalchemy.orm import Session

from domain import notices, shown
from domain.registration import profile_of
from handlers import contact_blocks as render_contacts
from handlers import followup_blocks, members, resources, trainings
from handlers import registration_blocks as render_registration
from handlers.blocks import Message, Mrkdwn
from storage.outbox import Claimed

log = logging.getLogger(__name__)


def registration_saved(notice: notices.RegistrationSaved, who) -> Message:
    return render_registration.submitted(profile_of(who), who.status, notice.asked_admins, notice.is_new)


def approval_request(notice: notices.ApprovalRequest, who) -> Message:
    return render_registration.approval_request(who.id, who.revision, who.slack_user_id, profile_of(who),
                                                notice.is_new)


def decision_news(notice: notices.DecisionNews, who) -> Message:
    return render_registration.decided(profile_of(who), notice.approved)


def request_settled(notice: notices.RequestSettled, who) -> Message:
    return render_registration.approval_settled(who.slack_user_id, profile_of(who), notice.approved, notice.admin)


def introduction(notice: notices.Introduction, found: shown.Introduced) -> Message:
    return render_contacts.introduction(found.site, found.officers, found.where)


def contact_changed(notice: notices.ContactChanged, found: shown.Changed) -> Message:
    return render_contacts.contact_changed(found.who, found.changes)


def picture_of(notice: notices.PictureOf, found: shown.Pictured) -> Message | None:
    """A sent message's picture, drawn from what that message shows now; None when it has none."""
    message = RENDERERS[found.notice.kind](found.notice, found.shown)
    return Message(message.picture.title, picture=message.picture) if message and message.picture else None


# Each kind's renderer: given the notice and what it shows (domain/shown.py), its words and blocks.
RENDERERS = {
    notices.RegistrationSaved.kind: registration_saved,
    notices.ApprovalRequest.kind: approval_request,
    notices.DecisionNews.kind: decision_news,
    notices.RequestSettled.kind: request_settled,
    notices.Introduction.kind: introduction,
    notices.ContactChanged.kind: contact_changed,
    notices.TrainingLogged.kind: trainings.render_logged,
    notices.TrainingCelebration.kind: trainings.render_celebration,
    **followup_blocks.RENDERERS,
    **members.RENDERERS,
    notices.MaterialsDigest.kind: resources.render_digest,
    notices.PictureOf.kind: picture_of,
}


# Messages for a member as a member: before one is sent, Slack is asked whether the person is still
# in the workspace (Slack takes a message to a deactivated person as if they were there).
CHECK_RECIPIENT = frozenset({notices.ContactQuestion.kind, notices.CheckIn.kind})


def recipient_gone(admins: frozenset[str]):
    """What the sender does when Slack says a message's person is deactivated: they leave the directory."""
    def gone(session: Session, message: Claimed, at: datetime) -> bool:
        from domain.members import recipient_gone as leave

        return leave(session, message.team_id, message.channel, admins, at)

    return gone


def render(session: Session, message: Claimed) -> Message | None:
    """The words and blocks of a queued message, as of now."""
    if message.kind == "literal":
        return Message(Mrkdwn(message.text or ""), message.blocks or [])
    if message.kind not in RENDERERS:
        raise notices.UnknownKind(message.kind)   # a dead letter, kept for a version that knows it
    notice, found = shown.gather_row(session, message.kind, message.params or {})
    return None if found is None else RENDERERS[message.kind](notice, found)


KINDS = frozenset({"literal", *RENDERERS})   # what `render` can show: dead letters of these are tried again
