"""`/tat outbox` (admins): messages Slack refused for good or that could not be sent in 7 days,
with the reason, and a button to try each again."""
from sqlalchemy.orm import Session

from domain.bounds import ids_in
from handlers.blocks import Message, actions, button, context, md, mention, more_button, section
from handlers.commands import Call
from handlers.contact import split_page
from storage import outbox

WHAT = {
    "registration_saved": "a registrant's confirmation",
    "approval_request": "an approval request",
    "decision_news": "a registrant's decision",
    "request_settled": "an admin's settled request",
    "followup_nudge": "a follow-up's post in the coalition channel",
    "checkin": "a follow-up check-in",
    "checkin_reminder": "a check-in reminder",
    "lead_alert": "a note to a coalition lead",
}
SHOWN = 15


def dead_letters(call: Call, session: Session) -> Message:
    """`/tat outbox [page N]` (admins): what could not be delivered, newest first, a page at a time."""
    total = outbox.dead_count(session, call.team)
    if not total:
        return Message("Every message the bot owed has been delivered: nothing is stuck.")
    pages = -(-total // SHOWN)
    page = min(split_page(call.text)[1], pages)
    dead = outbox.dead_letters(session, call.team, limit=SHOWN, offset=(page - 1) * SHOWN)
    text = f"{total} message(s) could not be delivered, newest first" + (
        f" (page {page} of {pages})." if pages > 1 else ".")
    blocks = [section(md("*{}*", text))]
    for letter in dead:
        blocks += [
            section(md("{} to {}, owed since {} UTC\nReason: `{}`", WHAT.get(letter.kind, "a message"),
                       _where(letter.channel), letter.not_before.strftime("%Y-%m-%d %H:%M"), letter.last_error or "?")),
            actions(button("Try again", "retry_dead_letter", str(letter.id))),
        ]
    if page < pages:
        blocks.append(more_button(total - page * SHOWN, f"outbox page {page + 1}"))
    blocks.append(context("Fix the cause first (invite the bot to the channel, say), then try again."))
    return Message(text, blocks)


def retry(ack, body, action, respond, context):
    """An admin's Try again: the message is owed again from now on."""
    ack()
    services, admin = context["services"], body["user"]["id"]
    team = (body.get("team") or {}).get("id") or ""
    if not services.is_admin(team, admin):
        said = "Only coalition admins can retry messages; nothing was changed."
    else:
        message_id, = ids_in(action.get("value"), 1) or (0,)
        with services.sessions.begin() as session:
            revived = outbox.revive(session, team, message_id, services.clock())
        said = "Queued again; it goes out in a moment." if revived else "That message is no longer stuck."
    services.later(lambda: respond(text=said, response_type="ephemeral", replace_original=False))


def _where(channel: str):
    return mention(channel) if channel[:1] in ("U", "W") else md("<#{}>", channel) if channel[:1] in "CG" else channel
