"""What each notice the bot owes looks like, rendered when it is sent from what it refers to.

The sender calls `render` for every message it is about to send, in the transaction that
claimed it; None means the notice no longer applies (the request was decided, the person is
gone), and the message is dropped. This registry is all the sender knows of handlers/.
"""
import logging
from datetime import datetime

from sqlalchemy.orm import Session

from domain import notices, places
from domain.registration import Status, profile_of
from handlers import contact_blocks as render_contacts
from handlers import followup_blocks, members, resources, trainings
from handlers import registration_blocks as render_registration
from handlers.blocks import Message, Mrkdwn
from storage import contact_changes, stakeholders
from storage.outbox import Claimed

log = logging.getLogger(__name__)


def registration_saved(session: Session, notice: notices.RegistrationSaved) -> Message | None:
    who = stakeholders.by_id(session, None, notice.stakeholder_id)
    return who and render_registration.submitted(profile_of(who), who.status, notice.asked_admins, notice.is_new)


def approval_request(session: Session, notice: notices.ApprovalRequest) -> Message | None:
    who = stakeholders.by_id(session, None, notice.stakeholder_id)
    if who is None or who.revision != notice.revision or who.status != Status.PENDING:
        return None   # decided, or changed since: an admin may only approve what they are shown
    return render_registration.approval_request(who.id, who.revision, who.slack_user_id, profile_of(who),
                                                notice.is_new)


def decision_news(session: Session, notice: notices.DecisionNews) -> Message | None:
    who = stakeholders.by_id(session, None, notice.stakeholder_id)
    return who and render_registration.decided(profile_of(who), notice.approved)


def request_settled(session: Session, notice: notices.RequestSettled) -> Message | None:
    who = stakeholders.by_id(session, None, notice.stakeholder_id)
    return who and render_registration.approval_settled(who.slack_user_id, profile_of(who), notice.approved,
                                                        notice.admin)


def introduction(session: Session, notice: notices.Introduction) -> Message | None:
    site = stakeholders.by_id(session, None, notice.site_id)
    officers = [o for o in map(lambda i: stakeholders.by_id(session, None, i), notice.officer_ids)
                if o is not None and o.status == Status.APPROVED]
    if site is None or site.status != Status.APPROVED or not officers:
        return None   # no longer approved: nobody is introduced to them
    county = places.county_by_fips(site.county_fips) if site.county_fips else None
    return render_contacts.introduction(site, officers, county.label if county else site.state)


def contact_changed(session: Session, notice: notices.ContactChanged) -> Message | None:
    changes = contact_changes.by_ids(session, list(notice.change_ids))
    who = changes and stakeholders.by_id(session, None, changes[0].stakeholder_id)
    if not who:
        return None
    return render_contacts.contact_changed(who, [(c.field, c.old_value, c.new_value) for c in changes])


def picture_of(session: Session, notice: notices.PictureOf) -> Message | None:
    """A sent message's picture, drawn from what that message shows now; None when it has none (or no
    longer applies)."""
    sent = notices.from_row(notice.of_kind, notice.of_params)
    shown = sent and RENDERERS[notice.of_kind](session, sent)
    return Message(shown.picture.title, picture=shown.picture) if shown and shown.picture else None


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
    notice = notices.from_row(message.kind, message.params or {})
    if notice is None:
        log.error("queued message %s is of a kind this version cannot render: %s", message.id, message.kind)
        return None
    return RENDERERS[message.kind](session, notice)
