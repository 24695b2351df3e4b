"""`/tat contact [place]`: the law enforcement and victim-service contacts of a place, privately."""
import re

from sqlalchemy.orm import Session

from domain.contacts import asker, directory_of, find_place, home_place, may_see_contacts, remembered
from handlers import contact_blocks as render
from handlers.blocks import Message
from handlers.commands import Call

PAGE_ASKED = re.compile(r"^(.*?)\s*\bpage\s+(\d{1,3})$", re.IGNORECASE)


def contact(call: Call, session: Session) -> Message:
    """`/tat contact [place]`: county contacts, statewide ones, victim services, the hotline."""
    who, version = asker(session, call.user)
    if not may_see_contacts(who, call.is_admin):
        return render.not_approved(registered=who is not None)
    typed, page = split_page(call.text)
    place = find_place(session, typed) if typed else home_place(who)
    if place.is_ambiguous:
        return render.candidates_message(typed, place)
    if not place.found:
        return render.unknown_place(typed) if typed else render.no_home_place()
    return remembered(session).page(
        session, place, page, version,
        lambda: render.contacts_message(directory_of(session, place, page, render.PAGE, call.team, call.now)),
        call.team)


def split_page(text: str) -> tuple[str, int]:
    """'Douglas, NE page 2' → ('Douglas, NE', 2); a place alone is page 1."""
    asked = PAGE_ASKED.match(text.strip())
    if asked and int(asked[2]) >= 1:
        return asked[1].strip(), int(asked[2])
    return text.strip(), 1
