"""Victim-centred language in Slack: a private note to the author of a message that uses a flagged
term, and `/tat language off|on` for admins. No message text is ever stored."""
import re

from sqlalchemy.orm import Session

from domain import zones
from domain.language import Term, flagged_terms, set_enabled, terms_to_note
from handlers.blocks import Message, Mrkdwn, context, md, section
from handlers.commands import Call
from handlers.zones import learn_later

CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")   # a public or private channel: not a DM
NOTED_SUBTYPES = (None, "thread_broadcast", "file_share")   # edits, joins, bots' posts get no note


def message_posted(event, body, client, context):
    """`message.channels` / `message.groups`: note flagged terms to their author, privately, once."""
    if event.get("bot_id") or event.get("subtype") not in NOTED_SUBTYPES or not event.get("user"):
        return
    if event.get("channel_type") not in ("channel", "group"):
        return
    services = context["services"]
    team = body.get("team_id") or event.get("team") or ""
    channel, user = event["channel"], event["user"]
    text = event.get("text") or ""
    if not flagged_terms(text):   # most messages: nothing to read or write
        return
    with services.sessions.begin() as session:   # once a day: the author's own day
        day = zones.today_of(session, team, user, services.clock())
        terms = terms_to_note(session, team, channel, user, text, day)
    learn_later(services, client, team, user)
    if terms:
        note = language_note(terms)
        thread = {"thread_ts": event["thread_ts"]} if event.get("thread_ts") else {}
        services.later(lambda: client.chat_postEphemeral(channel=channel, user=user, **thread, **note.as_kwargs()))


def language_note(terms: list[Term]) -> Message:
    """A soft, friendly suggestion: the words to use, and one line of why."""
    lines = [md("• Instead of “{}”, try *{}*. {}", t.key, t.suggest, t.why) for t in terms]
    opening = Mrkdwn("A friendly note from your TAT coalition, only you can see it: words shape how victims "
                     "are seen and treated.")
    text = Mrkdwn("\n").join([opening, *lines])
    return Message(text, [section(text), context("“Victim” while someone is in the situation; “survivor” after.")])


def language_command(call: Call, session: Session) -> Message:
    """`/tat language off|on` (admins): the note in the channel where it is typed."""
    wanted = call.text.strip().lower()
    if wanted not in ("on", "off"):
        return Message("Please write `/tat language off` or `/tat language on`, in the channel to change.")
    if not CHANNEL_ID.match(call.channel):
        return Message("Type `/tat language off` or `on` in the channel whose notes you want to change.")
    set_enabled(session, call.team_id, call.channel, wanted == "on", call.user)
    if wanted == "on":
        return Message(md("Victim-centred language notes are on in <#{}>.", Mrkdwn(call.channel)))
    return Message(md("Victim-centred language notes are off in <#{}>. `/tat language on` turns them back on.",
                      Mrkdwn(call.channel)))
