"""Slack in and out for /tat: find the subcommand, run it in one transaction, reply privately.

A subcommand replies at once (in the acknowledgement), or, when it is `slow`, the acknowledgement
goes first and the reply follows through the response_url. Buttons whose value is command text
(`run_command`) run the same table, so a candidate place or a "more" button is a command again.
"""
from dataclasses import replace

from domain import zones
from handlers.blocks import Message, context, md
from handlers.commands import Call, Command, OpenModal, Then, help_message
from handlers.errors import BUSY
from handlers.replays import REPLAYED, command_key, first_time, open_view
from handlers.unreachable import telling
from handlers.zones import learn_later
from storage.db import is_busy, reading


def tat_listener(commands: list[Command]):
    """The /tat listener over a table of subcommands."""
    run = command_runner(commands)

    def tat(ack, command, client, respond, context):
        services = context["services"]
        user, team = command["user_id"], command.get("team_id") or ""
        call = Call(user=user, text=(command.get("text") or "").strip(), is_admin=services.is_admin(team, user),
                    team_id=team, channel=command.get("channel_id") or "",
                    trigger_id=command.get("trigger_id") or "", now=services.clock())
        run(call, services, ack, respond, client)
        learn_later(services, client, call.team_id, user)   # their time zone, for their "today"

    return tat


def run_command_listener(commands: list[Command]):
    """A button whose value is `/tat` command text: run it as its presser typed it; the reply, private,
    replaces the message the button was on when that was a private reply too (a shared message stays
    as it is, and the reply comes beneath it, seen by the presser only; in the Home tab, a DM)."""
    run = command_runner(commands)

    def run_command(ack, body, action, client, respond, context):
        services, user = context["services"], body["user"]["id"]
        team = (body.get("team") or {}).get("id") or ""
        call = Call(user=user, text=str(action.get("value") or "").strip(), is_admin=services.is_admin(team, user),
                    team_id=team,
                    channel=((body.get("channel") or {}).get("id")) or "", trigger_id=body.get("trigger_id") or "",
                    now=services.clock())
        container = body.get("container") or {}
        in_home = container.get("type") == "view"
        in_place = container.get("is_ephemeral") is True   # a private reply may be replaced; a shared message never

        def answer(**message):   # after the acknowledgement, privately: in place, beneath, or by DM from Home
            if in_home:
                client.chat_postMessage(channel=user, text=message["text"], blocks=message.get("blocks"))
            else:
                respond(response_type="ephemeral", replace_original=in_place, **message)

        def acknowledge(**message):   # a button's acknowledgement carries no message
            ack()
            if message:
                services.later(lambda: answer(**message))

        run(call, services, acknowledge, answer, client)
        learn_later(services, client, call.team_id, user)

    return run_command


def command_runner(commands: list[Command]):
    by_word: dict[str, Command] = {}
    for listed in commands:   # a word listed twice (for anyone, then its admins' form) runs the first
        by_word.setdefault(listed.word, listed)

    def run(call: Call, services, ack, respond, client) -> None:
        word, _, rest = call.text.partition(" ")
        call = replace(call, text=rest.strip())
        chosen = by_word.get(word.lower())
        if chosen is None or (chosen.admins_only and not call.is_admin):
            return ack(**help_message(commands, call.is_admin, unknown=word or None).as_kwargs())
        if chosen.slow:   # queued first: a full queue is said in the acknowledgement itself
            queued = services.later.slow(lambda: _reply_later(chosen, call, services, respond, client))
            return ack() if queued else ack(**FULL.as_kwargs())
        reply = _run(chosen, call, services)
        if isinstance(reply, OpenModal):
            trigger = call.trigger_id
            queued = services.later(telling(respond, open_view(services, client, trigger, reply.view, call.user,
                                                               call.team), "open the form"))
            ack() if queued else ack(**FULL.as_kwargs())
        elif isinstance(reply, Then):
            queued = services.later.slow(telling(respond, lambda: reply.later(client), "finish that"))
            ack(**(reply.message if queued else _with_note(reply.message, NOT_NOW)).as_kwargs())
        else:
            ack(**reply.as_kwargs())

    return run


FULL = Message("Many people are asking me for things right now, so I could not start that; nothing was stored. "
               "Please try again in a minute.")
NOT_NOW = "Many charts and exports are being made right now, so what I said would follow will not: ask again soon."


def _with_note(message: Message, note: str) -> Message:
    return Message(md("{}\n{}", message.text, note), [*message.blocks, context(note)] if message.blocks else [])


def _run(chosen: Command, call: Call, services):
    if not chosen.uses_database:
        return chosen.run(call, None)
    if chosen.only_reads(call):
        with reading(services.sessions) as session:
            return chosen.run(_where(call, session), session)
    with services.sessions.begin() as session:   # a command that writes is done once per trigger_id
        if call.trigger_id and not first_time(session, call.team, command_key(call.trigger_id), call.now):
            return REPLAYED
        return chosen.run(_where(call, session), session)


def _where(call: Call, session) -> Call:
    """The call with a way to its caller's time zone, so that its "today" is theirs (read only by the
    commands that ask for a day: a lookup stays one statement)."""
    return replace(call, find_zone=lambda: zones.zone_of(session, call.team_id, call.user))


def _reply_later(chosen: Command, call: Call, services, respond, client) -> None:
    try:
        reply = _run(chosen, call, services)
    except Exception as failed:
        if not is_busy(failed):
            raise
        return respond(response_type="ephemeral", text=BUSY)   # rolled back whole: nothing half-done
    if isinstance(reply, Then):
        respond(response_type="ephemeral", **reply.message.as_kwargs())
        telling(respond, lambda: reply.later(client), "finish that")()
    elif not isinstance(reply, OpenModal):
        respond(response_type="ephemeral", **reply.as_kwargs())
