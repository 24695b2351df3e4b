"""What contacts staying current looks like: the yearly question, its answers, and the leads' notes
of members who left Slack or left their question unanswered."""
from datetime import date

from domain.registration import profile_of
from handlers.blocks import Message, Mrkdwn, actions, button, context, md, section
from handlers.registration_blocks import profile_fields
from storage.models import Stakeholder

CONFIRM = "confirm_contact_details"
EDIT = "edit_contact_details"
MAX_TEXT = 2900   # Slack takes 3,000 characters a section


def in_words(day: date) -> str:
    """'March 3, 2025': a date as a member reads it."""
    return f"{day:%B} {day.day}, {day.year}"


def unconfirmed_note(day: date) -> Mrkdwn:
    return md("⚠️ unconfirmed since {}", in_words(day))


def question(who: Stakeholder, round_: int) -> Message:
    """The yearly DM to a contact: their details as the coalition sees them, with Confirm / Edit."""
    value = f"{who.id}:{round_}"
    text = md("{}, once a year I check that the coalition's contact details are current. Do yours still hold?",
              who.name.split()[0])
    return Message(text, [
        section(md("*{}*\nThis is what coalition members see when they look up their local contacts:", text)),
        profile_fields(profile_of(who)),
        actions(button("Confirm", CONFIRM, value, style="primary"), button("Edit", EDIT, value)),
        context("Please answer within 30 days: after that, `/tat contact` shows your details as unconfirmed "
                "and the coalition's leads are told. Moved to a new post? Press Edit, or tell your coalition lead."),
    ])


def confirmed(day: date) -> Message:
    return Message(md("Thank you: your details are confirmed as of {}. I'll ask again in a year.", in_words(day)))


def not_yours() -> Message:
    return Message("This question is for the contact it was sent to, while they are an approved law enforcement "
                   "or victim-service contact; nothing was changed.")


def member_left(who: Stakeholder, sector: str) -> Message:
    """A lead's note that a member was deactivated in Slack and left the directory."""
    text = md("*{}* ({}, {}) was deactivated in Slack, so I took them out of the {} coalition's directory: "
              "`/tat contact` no longer shows them, and they are not introduced or checked in.",
              who.name, sector, who.organization, who.state)
    successor = Mrkdwn(" If someone new holds the post, ask them to register with `/tat register`.")
    return Message(text + successor, [section(text + successor)])


def unconfirmed_contacts(state: str, late: list[tuple[Stakeholder, date]], lead_note: bool) -> Message:
    """The contacts who left their yearly question unanswered for 30 days, for the leads (a DM) or the
    admins (`/tat pending`)."""
    head = md("*{} of the {} coalition's contacts did not confirm their details* within 30 days of my yearly "
              "question; `/tat contact` shows them as unconfirmed.", len(late), state)
    ask = Mrkdwn("Ask them to press Confirm in my message, or to correct their details with `/tat register`.")
    lines = [md("• *{}*{} — {}: unconfirmed since {}", who.name, md(", {}", who.title) if who.title else "",
                who.organization, in_words(day)) for who, day in late]
    body = Mrkdwn("\n").join([head, *fit_lines(lines, MAX_TEXT - len(head) - len(ask)), *([ask] if lead_note else [])])
    return Message(body, [section(body)])


def fit_lines(lines: list[Mrkdwn], room: int) -> list[Mrkdwn]:
    """As many lines as fit in `room` characters (a section holds 3,000), and how many more there are."""
    shown: list[Mrkdwn] = []
    for position, line in enumerate(lines):
        if sum(len(s) + 1 for s in shown) + len(line) + 40 > room:
            return [*shown, md("…and {} more.", len(lines) - position)]
        shown.append(line)
    return shown
