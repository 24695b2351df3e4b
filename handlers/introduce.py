"""`/tat introduce`: re-send the caller's introductions to their local contacts."""
from sqlalchemy.orm import Session

from domain.introductions import reintroduce
from domain.sectors import Sector
from handlers.blocks import Message
from handlers.commands import Call
from storage import stakeholders
from storage.models import now


def introduce(call: Call, session: Session) -> Message:
    who = stakeholders.by_slack_user(session, call.team, call.user)
    if who is None or who.status != "approved":
        return Message("Introductions are for approved coalition members. Register with `/tat register`; "
                       "once a coalition admin approves you, I introduce you to your local contacts.")
    sector = Sector(who.sector)
    if not (sector.has_site or sector.has_jurisdiction):
        return Message("Introductions connect truck stops and bus terminals with their local law enforcement. "
                       "Type `/tat contact` to see the contacts of your county.")
    day = (call.today or now().date()).isoformat()
    pairs, already = reintroduce(session, call.team_id, who, day=day)
    if already and not pairs:
        return Message(f"Your introductions were already sent again today ({already} contact(s)): I send them "
                       "once a day. Ask again tomorrow if they still need them.")
    if not pairs:
        other = "law enforcement contact" if sector.has_site else "truck stop or bus terminal"
        return Message(f"No approved {other} in your area yet: I will introduce you as soon as there is one.")
    return Message(f"Sending your introductions again ({pairs} contact(s)), in a group message with each.")
