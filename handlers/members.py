"""Slack in and out for contacts staying current: `user_change` (a member deactivated or reactivated
in Slack), the yearly question's Confirm and Edit buttons, and the notices' renderers.

Listeners acknowledge, read and write the database, and queue what is owed; private replies that
are not owed go through `services.later`.
"""
from datetime import datetime

from sqlalchemy.orm import Session

from domain import confirmations, members
from domain.notices import ContactQuestion, MemberLeft, UnconfirmedContacts
from domain.registration import Status, profile_of
from domain.sectors import Sector
from handlers import member_blocks as render
from handlers import registration_blocks
from handlers.blocks import MESSAGE_BLOCKS, Message, Mrkdwn, context, md, section
from handlers.replays import open_view
from storage import coalitions, stakeholders
from storage.db import reading
from storage.models import Stakeholder


def user_changed(event, body, context):
    """`user_change`: a member Slack deactivated leaves the directory at once (one reactivated waits for
    an approver again). Most changes are someone's status or photo: one read, and nothing more."""
    person = event.get("user") if isinstance(event.get("user"), dict) else {}
    user, services = person.get("id"), context["services"]
    if not isinstance(user, str) or not user:
        return
    leaving = bool(person.get("deleted"))
    team = body.get("team_id") or person.get("team_id") or ""
    with reading(services.sessions) as session:
        found = stakeholders.by_slack_user(session, team, user)
        status = found.status if found else None
    if status not in ((Status.APPROVED, Status.PENDING) if leaving else (Status.DEACTIVATED,)):
        return
    with services.sessions.begin() as session:
        (members.deactivate if leaving else members.reactivate)(session, team, user, services.admins_of(team),
                                                                 services.clock())


def press_confirm(ack, body, action, respond, context):
    """Confirm: the contact's details hold, as of today; the question gives way to the thanks."""
    ack()
    services, user = context["services"], body["user"]["id"]
    at = services.clock()
    with services.sessions.begin() as session:
        who = confirmations.confirm(session, _team(body), user, at, _asked_about(action))
        reply = render.confirmed(confirmations.local_day(at, who.state)) if who else render.not_yours()
    services.later(lambda: respond(replace_original=who is not None, response_type="ephemeral", **reply.as_kwargs()))


def press_edit(ack, body, action, client, respond, context):
    """Edit: the registration form, filled in, as an edit; saving it confirms the details."""
    ack()
    services, user = context["services"], body["user"]["id"]
    with reading(services.sessions) as session:
        who = stakeholders.by_slack_user(session, _team(body), user)
        mine = who is not None and who.id == _asked_about(action)
        form = registration_blocks.registration_form(profile_of(who)) if mine else None
    if form is None:
        said = render.not_yours()
        return services.later(lambda: respond(replace_original=False, response_type="ephemeral", **said.as_kwargs()))
    trigger = body["trigger_id"]
    services.later(open_view(services, client, trigger, form, user, (body.get("team") or {}).get("id") or ""))


def details_saved(session: Session, team: str, user: str, at: datetime) -> None:
    """A contact who saves their registration form has looked at their details: confirmed."""
    confirmations.confirm(session, team, user, at)


def with_unconfirmed(message: Message, session: Session, team: str, at: datetime) -> Message:
    """`/tat pending` also lists, per state, the contacts who left their yearly question unanswered: a
    section a state while the message has room for it (50 blocks), then the other states by name."""
    notes = [(c.state, render.unconfirmed_contacts(c.state, late, lead_note=False))
             for c in coalitions.of_team(session, team) if (late := confirmations.unconfirmed_in(session, c, at))]
    if not notes:
        return message
    blocks = message.blocks or [section(message.text)]
    room = MESSAGE_BLOCKS - len(blocks) - 1
    shown, other = notes[:room], [state for state, _ in notes[room:]]
    more = [md("Unconfirmed contacts in {} more coalition(s) too: {}. The leads of each have their list.",
               len(other), ", ".join(other))] if other else []
    return Message(Mrkdwn("\n").join([message.text, *[note.text for _, note in shown], *more]),
                   [*blocks, *[b for _, note in shown for b in note.blocks], *map(context, more)])


def _asked_about(action: dict) -> int | None:
    """The contact a question's button is about ("stakeholder:round"); None if it cannot be read."""
    head = str(action.get("value") or "").partition(":")[0]
    return int(head) if head.isdigit() and len(head) < 12 else None


def _team(body: dict) -> str:
    return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or ""


# -- the notices' renderers -------------------------------------------------------------------------
def render_question(notice: ContactQuestion, who: Stakeholder) -> Message:
    return render.question(who, notice.round)


def render_member_left(notice: MemberLeft, who: Stakeholder) -> Message:
    return render.member_left(who, Sector(who.sector).label)


def render_unconfirmed(notice: UnconfirmedContacts, late: list) -> Message:
    return render.unconfirmed_contacts(notice.state, late, lead_note=True)


RENDERERS = {
    ContactQuestion.kind: render_question,
    MemberLeft.kind: render_member_left,
    UnconfirmedContacts.kind: render_unconfirmed,
}
