"""Slack in and out for registering: the form, its submission, and the admins' decision."""
import logging
from typing import NamedTuple
from uuid import uuid4

from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session

from domain.profile import Invalid, Profile, parse_profile
from domain.registration import Registered, Verdict, decide, profile_of, register
from handlers import registration_blocks as render
from handlers.blocks import submitted_values
from handlers.commands import Call, OpenModal
from schedules.delivery import deliver
from storage import outbox, stakeholders
from storage.models import now

log = logging.getLogger(__name__)


def open_form(call: Call, session: Session) -> OpenModal:
    """`/tat register`: the form, filled in with the caller's profile if they have one."""
    return OpenModal(render.registration_form(current_profile(session, call.user)))


def current_profile(session: Session, user: str):
    """The caller's stored profile, or None before they register."""
    who = stakeholders.by_slack_user(session, user)
    return profile_of(who) if who else None


def submit(ack, body, view, client, context):
    """The form was saved: answer problems inline, or store it with the messages it calls for."""
    services, user = context["services"], body["user"]["id"]
    try:
        profile = parse_profile(submitted_values(view))
    except Invalid as bad:
        return ack(response_action="errors", errors=bad.errors)
    with services.sessions.begin() as session:
        done = register(session, user, profile, services.admins)
        keys = _queue_after_saving(session, done, profile, services.admins)
    ack()
    deliver(services.sessions, client, keys)


def approve(ack, body, action, client, respond, context):
    ack()
    _decide(body, action, client, respond, context["services"], approve=True)


def decline(ack, body, action, client, respond, context):
    ack()
    _decide(body, action, client, respond, context["services"], approve=False)


def _queue_after_saving(session: Session, done: Registered, profile, admins: frozenset[str]) -> list[str]:
    """The registrant's confirmation and, when approval is needed, a request to every admin."""
    who = done.stakeholder
    note = render.submitted(profile, who.status, done.ask_admins, done.is_new)
    keys = [f"saved:{who.id}:{uuid4().hex}"]
    outbox.enqueue(session, keys[0], who.slack_user_id, note.text, note.blocks)
    if done.ask_admins:
        outbox.cancel_unsent(session, f"approval:{who.id}:", now())  # requests for older revisions
        request = render.approval_request(who.id, who.revision, who.slack_user_id, profile, done.is_new)
        for admin in sorted(admins):
            keys.append(f"{_approval_key(who.id, who.revision)}{admin}")
            outbox.enqueue(session, keys[-1], admin, request.text, request.blocks)
        if not admins:
            log.warning("stakeholder %s awaits approval but TAT_ADMINS is empty", who.id)
    return keys


def _decide(body, action, client, respond, services, approve: bool) -> None:
    admin = body["user"]["id"]
    try:
        who_id, revision = (int(part) for part in action["value"].split(":"))
    except ValueError:
        return respond(**render.button_expired().as_kwargs(), response_type="ephemeral", replace_original=False)
    with services.sessions.begin() as session:
        decision = decide(session, who_id, revision, admin, approve, services.admins)
        who = decision.stakeholder
        if decision.verdict != Verdict.DECIDED:
            refusal = render.decision_refused(decision.verdict, who and who.decided_by, who and who.status)
        else:
            refusal, news = None, _queue_decision(session, who, approve)
    if refusal:
        return respond(**refusal.as_kwargs(), response_type="ephemeral", replace_original=False)
    deliver(services.sessions, client, [news.key])
    settled = render.approval_settled(news.registrant, news.profile, approve, admin)
    _settle_requests(client, body, news.requests, settled)


class Decided(NamedTuple):
    key: str                          # the outbox key of the registrant's news
    registrant: str
    profile: Profile
    requests: list[tuple[str, str]]   # (channel, ts) of every admin's copy of the request


def _queue_decision(session: Session, who, approve: bool) -> Decided:
    """Queue the registrant's news, stop unsent requests, and find the admins' copies to update."""
    profile, prefix = profile_of(who), _approval_key(who.id, who.revision)
    told = render.decided(profile, approve)
    key = f"decided:{who.id}:r{who.revision}"
    outbox.enqueue(session, key, who.slack_user_id, told.text, told.blocks)
    outbox.cancel_unsent(session, prefix, now())
    return Decided(key, who.slack_user_id, profile, outbox.sent_messages(session, prefix))


def _settle_requests(client, body, requests: list[tuple[str, str]], settled) -> None:
    """Every admin's copy of the request shows who decided, in place of the buttons."""
    container = body.get("container", {})
    pressed = [(container["channel_id"], container["message_ts"])] if "message_ts" in container else []
    for channel, ts in dict.fromkeys([*pressed, *requests]):
        try:
            client.chat_update(channel=channel, ts=ts, **settled.as_kwargs())
        except (SlackApiError, SlackClientError, OSError):
            log.exception("could not mark the approval request %s/%s as settled", channel, ts)


def _approval_key(who_id: int, revision: int) -> str:
    return f"approval:{who_id}:r{revision}:"
