"""`/tat contact [place]`: the law enforcement and victim-service contacts of a place, privately."""
from sqlalchemy.orm import Session

from domain.bounds import echoed
from domain.contacts import asker, directory_of, find_place, home_place, may_see_contacts, remembered
from domain.places import PLACE_TEXT
from handlers import contact_blocks as render
from handlers.blocks import Message
from handlers.commands import Call


def contact(call: Call, session: Session) -> Message:
    """`/tat contact [place]`: county contacts, statewide ones, victim services, the hotline."""
    who, version = asker(session, call.team, call.user)
    if not may_see_contacts(who, call.is_admin):
        return render.not_approved(who.status if who is not None else None)
    typed, page = split_page(call.text)
    place = find_place(session, call.team, typed) if typed else home_place(who)
    if place.is_ambiguous:
        return render.candidates_message(echoed(typed), place)
    if not place.found:
        return render.unknown_place(echoed(typed)) if typed else render.no_home_place()
    shown = remembered(session).page(
        session, place, page, version,
        lambda: render.contacts_message(directory_of(session, place, page, render.PAGE, team=call.team, at=call.now)),
        call.team)
    return render.with_reading(shown, place, echoed(typed)) if typed and page == 1 else shown


def split_page(text: str) -> tuple[str, int]:
    """'Douglas, NE page 2' → ('Douglas, NE', 2); a place alone is page 1."""
    if len(text) > PLACE_TEXT + 20:   # no place, with or without a page
        return text, 1
    words = text.strip().rsplit(None, 2)   # no regular expression: "… page 2" is read from the end
    number = words[-1] if len(words) > 1 and words[-2].lower() == "page" else ""
    if 1 <= len(number) <= 3 and number.isascii() and number.isdigit() and int(number) >= 1:
        return (words[0] if len(words) == 3 else ""), int(number)
    return text.strip(), 1
