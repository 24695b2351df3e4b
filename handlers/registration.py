"""Slack in and out for registering: the form, its submission, and the admins' decision."""
import logging

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from domain.profile import Invalid, parse_profile
from domain.registration import Verdict, decide, profile_of, register
from handlers import registration_blocks as render
from handlers.blocks import submitted_values
from handlers.commands import Call, OpenModal
from storage import stakeholders

log = logging.getLogger(__name__)


def open_form(call: Call, session: Session) -> OpenModal:
    """`/tat register`: the form, filled in with the caller's profile if they have one."""
    return OpenModal(render.registration_form(current_profile(session, call.user)))


def current_profile(session: Session, user: str):
    """The caller's stored profile, or None before they register."""
    who = stakeholders.by_slack_user(session, user)
    return profile_of(who) if who else None


def submit(ack, body, view, client, context):
    """The form was saved: answer problems inline, or store it and tell whoever needs to know."""
    services, user = context["services"], body["user"]["id"]
    try:
        profile = parse_profile(submitted_values(view))
    except Invalid as bad:
        return ack(response_action="errors", errors=bad.errors)
    with services.sessions.begin() as session:
        done = register(session, user, profile, services.admins)
        who_id, revision, status = done.stakeholder.id, done.stakeholder.revision, done.stakeholder.status
    ack()
    note = render.submitted(profile, status, done.ask_admins, done.is_new)
    client.chat_postMessage(channel=user, **note.as_kwargs())
    if done.ask_admins:
        request = render.approval_request(who_id, revision, user, profile, done.is_new)
        _ask_admins(client, services, who_id, revision, request)


def approve(ack, body, action, client, respond, context):
    ack()
    _decide(body, action, client, respond, context["services"], approve=True)


def decline(ack, body, action, client, respond, context):
    ack()
    _decide(body, action, client, respond, context["services"], approve=False)


def _ask_admins(client, services, who_id: int, revision: int, request) -> None:
    """DM every admin the request; remember each message so a decision can update them all."""
    if not services.admins:
        log.warning("stakeholder %s awaits approval but TAT_ADMINS is empty", who_id)
    for admin in sorted(services.admins):
        try:
            reply = client.chat_postMessage(channel=admin, **request.as_kwargs())
        except SlackApiError:
            log.exception("could not send the approval request for stakeholder %s to %s", who_id, admin)
            continue
        with services.sessions.begin() as session:
            stakeholders.record_approval_request(session, who_id, revision, admin, reply["channel"], reply["ts"])


def _decide(body, action, client, respond, services, approve: bool) -> None:
    admin = body["user"]["id"]
    try:
        who_id, revision = (int(part) for part in action["value"].split(":"))
    except ValueError:
        return respond(text="That button is not valid any more; nothing was changed.",
                       response_type="ephemeral", replace_original=False)
    with services.sessions.begin() as session:
        decision = decide(session, who_id, revision, admin, approve, services.admins)
        who = decision.stakeholder
        requests = [(r.channel, r.ts) for r in stakeholders.approval_requests(session, who_id, revision)]
        profile = profile_of(who) if who else None
    if decision.verdict != Verdict.DECIDED:
        text = render.decision_refused(decision.verdict, who and who.decided_by, who and who.status)
        return respond(text=text, response_type="ephemeral", replace_original=False)
    client.chat_postMessage(channel=who.slack_user_id, **render.decided(profile, approve).as_kwargs())
    settled = render.approval_settled(who.slack_user_id, profile, approve, admin)
    container = body.get("container", {})
    pressed = [(container["channel_id"], container["message_ts"])] if "message_ts" in container else []
    for channel, ts in dict.fromkeys([*pressed, *requests]):
        try:
            client.chat_update(channel=channel, ts=ts, **settled.as_kwargs())
        except SlackApiError:
            log.exception("could not mark the approval request %s/%s as settled", channel, ts)
