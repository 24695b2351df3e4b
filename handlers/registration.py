"""Slack in and out for registering: the form, its submission, and the admins' decision.

Listeners only acknowledge, read and write the database, and queue what the bot owes in the
outbox; the sender delivers it. A private reply that is not owed goes through `services.later`.
"""
import logging

from sqlalchemy.orm import Session

from domain.bounds import ids_in
from domain.profile import Invalid, parse_profile
from domain.registration import Verdict, decide, profile_of, register
from handlers import members
from handlers import registration_blocks as render
from handlers.blocks import submitted_values
from handlers.commands import Call, Message, OpenModal
from handlers.contact import split_page
from storage import stakeholders
from storage.models import now

log = logging.getLogger(__name__)


def open_form(call: Call, session: Session) -> OpenModal:
    """`/tat register`: the form, filled in with the caller's profile if they have one."""
    return OpenModal(render.registration_form(current_profile(session, call.team, call.user)))


def current_profile(session: Session, team: str, user: str):
    """The caller's stored profile, or None before they register."""
    who = stakeholders.by_slack_user(session, team, user)
    return profile_of(who) if who else None


def submit(ack, body, view, client, context):
    """The form was saved: answer problems inline, or store it with the messages it calls for.

    The registrant's note is keyed by the form's view id, so a double or replayed submission of
    the same form is one registration and one set of messages."""
    services, user = context["services"], body["user"]["id"]
    try:
        profile = parse_profile(submitted_values(view))
    except Invalid as bad:
        return ack(response_action="errors", errors=bad.errors)
    with services.sessions.begin() as session:
        register(session, user, profile, services.admins_of(_team(body)), form=view.get("id") or "",
                 team_id=_team(body))
        members.details_saved(session, _team(body), user, services.clock())   # a contact's details confirmed
    ack()
    _refresh_home(services, client, user, _team(body))


def pending_list(call: Call, session: Session) -> Message:
    """`/tat pending [page N]` (admins): the registrations waiting for a decision, a page at a time,
    with their buttons (never one's own); the first page also names the contacts who left their
    yearly question unanswered."""
    total = stakeholders.pending_count(session, call.team, excluding=call.user)
    page = min(split_page(call.text)[1], max(1, -(-total // render.PENDING_SHOWN)))
    listed = render.pending_list(waiting_page(session, call.team, call.user, page), total, page)
    return members.with_unconfirmed(listed, session, call.team, call.now or now()) if page == 1 else listed


def waiting_page(session: Session, team: str, admin: str, page: int = 1) -> list[tuple]:
    """One page of the workspace's registrations `admin` may decide, as the pending list shows them."""
    shown = render.PENDING_SHOWN
    waiting = stakeholders.pending(session, team, excluding=admin, offset=(page - 1) * shown, limit=shown)
    return [(w.id, w.revision, w.slack_user_id, profile_of(w)) for w in waiting]


def approve(ack, body, action, client, respond, context):
    ack()
    _decide(body, action, _answerer(body, client, respond, context["services"]), context["services"], approve=True,
            client=client)


def decline(ack, body, action, client, respond, context):
    ack()
    _decide(body, action, _answerer(body, client, respond, context["services"]), context["services"], approve=False,
            client=client)


def _answerer(body, client, respond, services):
    """How to tell the presser privately: in place in the Home tab, else through response_url."""
    if (body.get("container") or {}).get("type") == "view":
        from handlers.home import publish_for

        return lambda **_message: publish_for(services, client, body["user"]["id"], _team(body))
    return respond


def _refresh_home(services, client, user: str, team: str) -> None:
    """The person's Home tab shows the change (best effort: it is rebuilt whenever it is opened)."""
    from handlers.home import publish_for

    publish_for(services, client, user, team)


def _decide(body, action, respond, services, approve: bool, client=None) -> None:
    admin = body["user"]["id"]
    decided = ids_in(action.get("value"), 2)
    if decided is None:
        expired = render.button_expired()
        return services.later(lambda: respond(**expired.as_kwargs(), response_type="ephemeral",
                                              replace_original=False))
    who_id, revision = decided
    with services.sessions.begin() as session:
        decision = decide(session, who_id, revision, admin, approve, services.admins_of(_team(body)),
                          team_id=_team(body))
        who = decision.stakeholder
        if decision.verdict != Verdict.DECIDED:
            refusal = render.decision_refused(decision.verdict, who and who.decided_by, who and who.status)
            return services.later(lambda: respond(**refusal.as_kwargs(), response_type="ephemeral",
                                                  replace_original=False))
        settled = render.approval_settled(who.slack_user_id, profile_of(who), approve, admin)
        registrant = who.slack_user_id
    if client is not None:
        _refresh_home(services, client, registrant, _team(body))
    container = body.get("container") or {}
    if container.get("is_ephemeral") or container.get("type") == "view":   # `/tat pending`, the Home tab
        services.later(lambda: respond(replace_original=True, **settled.as_kwargs()))


def _team(body: dict) -> str:
    """The workspace a request comes from."""
    return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or ""
