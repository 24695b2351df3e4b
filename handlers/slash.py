"""Slack in and out for /tat: find the subcommand, run it in one transaction, reply privately."""
from handlers.commands import Call, Command, OpenModal, help_message


def tat_listener(commands: list[Command]):
    """The /tat listener over a table of subcommands."""
    by_word = {c.word: c for c in commands}

    def tat(ack, command, client, context):
        services = context["services"]
        word, _, rest = (command.get("text") or "").strip().partition(" ")
        user = command["user_id"]
        call = Call(user=user, text=rest.strip(), is_admin=user in services.admins,
                    team_id=command.get("team_id") or "", at=services.clock())
        chosen = by_word.get(word.lower())
        if chosen is None or (chosen.admins_only and not call.is_admin):
            return ack(**help_message(commands, call.is_admin, unknown=word or None).as_kwargs())
        if chosen.uses_database:
            with services.sessions.begin() as session:
                reply = chosen.run(call, session)
        else:
            reply = chosen.run(call, None)
        if isinstance(reply, OpenModal):
            ack()
            trigger = command["trigger_id"]
            services.later(lambda: client.views_open(trigger_id=trigger, view=reply.view))
        else:
            ack(**reply.as_kwargs())

    return tat
