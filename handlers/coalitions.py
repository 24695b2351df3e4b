"""Slack in and out for coalitions: `/tat setup` and its form, `/tat followups`, and the check-in buttons.

Listeners acknowledge, read and write the database, and queue what is owed; private replies that
are not owed go through `services.later`.
"""
import logging

from sqlalchemy.orm import Session

from domain import coalitions as coalitions_of
from domain import places
from domain.bounds import echoed, ids_in
from domain.coalitions import Changed, Invalid, answer, parse_setup, save, snooze, statuses
from domain.zones import zone_of
from handlers import followup_blocks as render
from handlers.blocks import Message, md, plain, section
from handlers.commands import Call, OpenModal
from handlers.contact import split_page
from handlers.replays import opened_for_chooser
from storage import coalitions
from storage.models import now

log = logging.getLogger(__name__)
USAGE = "Write `/tat {}` for every state, or `/tat {} NE` for one."


def open_setup(call: Call, session: Session) -> Message | OpenModal:
    """`/tat setup [state]` (admins): the coalition form, filled in when the state has one."""
    answers: dict = {}
    seen = ""   # the coalition as the form shows it: "NE:3" (its revision), or "" for a new one
    if call.text:
        state = places.find_state(call.text)
        if state is None:
            return Message(md("I don't know the state `{}`. " + USAGE.format("setup", "setup"), echoed(call.text)))
        current = coalitions.by_state(session, call.team_id, state.abbr)
        answers = render.coalition_answers(current) if current else {"state": state.abbr}
        seen = f"{current.state}:{current.revision}" if current else ""
    return OpenModal(_setup_form(answers, seen))


def refit_setup(ack, body, client, context):
    """A state was chosen in the setup form: offer that state's time zones, keeping what was chosen."""
    ack()
    view, services = body["view"], context["services"]
    admin = services.is_admin((body.get("team") or {}).get("id"), body["user"]["id"])
    if not admin or not opened_for_chooser(services, body, render.SETUP):
        return   # only an admin's own setup form is refitted
    form = _setup_form(render.form_values(view), str(view.get("private_metadata") or ""))
    services.later(lambda: client.views_update(view_id=view["id"], view=form))


def _setup_form(answers: dict, seen: str) -> dict:
    return {**render.setup_form([(s.abbr, s.name) for s in places.all_states()], answers), "private_metadata": seen}


def _seen_revision(view: dict, state: str) -> int:
    """The revision of the state's coalition the form showed; 0 when it showed none (a new coalition)."""
    shown, _, revision = str(view.get("private_metadata") or "").partition(":")
    return int(revision) if shown == state and revision.isdigit() and len(revision) <= 9 else 0


def list_followups(call: Call, session: Session) -> Message:
    """`/tat followups [state] [page N]` (admins): each follow-up's time, status and check-in answers,
    a page of coalitions at a time."""
    chosen = coalitions.of_team(session, call.team_id)
    typed, page = split_page(call.text)
    if typed:
        state = places.find_state(typed)
        if state is None:
            return Message(md("I don't know the state `{}`. " + USAGE.format("followups", "followups"),
                              echoed(typed)))
        chosen = [c for c in chosen if c.state == state.abbr]
    page = min(page, max(1, -(-len(chosen) // render.FOLLOWUPS_SHOWN)))
    shown = chosen[(page - 1) * render.FOLLOWUPS_SHOWN:page * render.FOLLOWUPS_SHOWN]
    at = call.at or now()
    return render.followups_list([(c, statuses(session, c, at)) for c in shown], len(chosen), page, typed)


def submit_setup(ack, body, view, context):
    """The setup form was saved: answer problems inline, or save it and re-plan its follow-ups."""
    services, user = context["services"], body["user"]["id"]
    if not services.is_admin((body.get("team") or {}).get("id"), user):
        return ack(response_action="errors", errors={"state": "Only coalition admins can set up a coalition."})
    try:
        setup = parse_setup(render.form_values(view))
    except Invalid as bad:
        return ack(response_action="errors", errors=bad.errors)
    try:
        with services.sessions.begin() as session:
            coalition = save(session, body["team"]["id"], setup, user, services.clock(),
                             seen_revision=_seen_revision(view, setup.state))
            said = render.saved(coalition)
    except Changed as changed:   # set up or edited by someone else since this form was opened
        return ack(response_action="errors", errors={"state": _changed_meanwhile(changed.state)})
    ack(response_action="update", view={"type": "modal", "title": plain("Coalition saved"),
                                        "close": plain("Done"), "blocks": [section(said.text)]})


def _changed_meanwhile(state: str) -> str:
    return (f"The {state} coalition was saved from another form since this one opened, so nothing was "
            f"saved here. Open `/tat setup {state}` to see it and edit it.")


def press_checkin(ack, body, action, client, respond, context):
    """A check-in button: store the answer (a later press replaces it); "Log a training" also opens
    the training form when `/tat trained` exists."""
    ack()
    services, user, choice = context["services"], body["user"]["id"], render.CHECKIN_ACTIONS[action["action_id"]]
    coalition_id, months = _stage(action)
    with services.sessions.begin() as session:
        answered = answer(session, body["team"]["id"], coalition_id, months, user, choice, services.clock())
        if not answered.saved:
            reply = render.not_asked()
        elif choice == "trained":
            reply = _training_form(session, user, body, services)
        else:
            reply = render.answer_noted(choice)
    if isinstance(reply, OpenModal):
        trigger = body["trigger_id"]
        return services.later(lambda: client.views_open(trigger_id=trigger, view=reply.view))
    services.later(lambda: respond(**reply.as_kwargs(), response_type="ephemeral", replace_original=False))


def press_not_now(ack, body, action, respond, context):
    """"Not now": the reminder comes a week later."""
    ack()
    services, user = context["services"], body["user"]["id"]
    coalition_id, months = _stage(action)
    with services.sessions.begin() as session:
        until = snooze(session, body["team"]["id"], coalition_id, months, user, services.clock())
        coalition = coalitions.by_id(session, coalition_id, body["team"]["id"])
        reply = render.snoozed(until, coalition.time_zone) if until and coalition else render.not_asked()
    services.later(lambda: respond(**reply.as_kwargs(), response_type="ephemeral", replace_original=False))


def _training_form(session: Session, user: str, body: dict, services) -> Message | OpenModal:
    """The hook to `/tat trained`: its form if that command exists, else a word that it is coming."""
    import handlers  # the command table imports this module

    trained = next((c for c in handlers.COMMANDS if c.word == "trained"), None)
    if trained is None:
        return render.training_coming()
    call = Call(user=user, text="", is_admin=services.is_admin(body["team"]["id"], user), team_id=body["team"]["id"],
                now=services.clock(), zone=zone_of(session, body["team"]["id"], user))
    return trained.run(call, session)


def _stage(action: dict) -> tuple[int, int]:
    """A check-in button's "coalition:months"; (0, 0) for one that is not, which matches nothing."""
    stage = ids_in(action.get("value"), 2)
    return stage if stage else (0, 0)


def channel_ready(event, body, context):
    """The bot joined a channel (`member_joined_channel`, the bot being the member) or a channel was
    unarchived: a follow-up post Slack refused there goes out now, without waiting for an admin."""
    if event.get("type") == "member_joined_channel" and context.get("bot_user_id") not in (None, event.get("user")):
        return   # someone else joined
    services, channel = context["services"], event.get("channel")
    channel = channel.get("id") if isinstance(channel, dict) else channel
    if not channel:
        return
    team = body.get("team_id") or event.get("team") or ""
    with services.sessions.begin() as session:
        revived = coalitions_of.channel_ready(session, team, channel, services.clock())
    if revived:
        log.info("%s follow-up post(s) refused in %s go out now that the channel is ready", revived, channel)
