"""What /tat contact, the Home tab and introductions show of a contact: who, and how to reach them."""
import re
from datetime import date

from domain.bounds import echoed
from domain.contacts import Directory, Entry
from domain.places import Place
from domain.sectors import Sector
from handlers.blocks import (
    HOTLINE,
    SAFETY,
    Message,
    Mrkdwn,
    actions,
    command_button,
    context,
    link,
    md,
    mention,
    more_button,
    section,
)
from handlers.member_blocks import unconfirmed_note
from storage.models import Stakeholder

PAGE = 12                      # contacts a message: one block each, well within Slack's 50
HEADINGS = {
    "local": "Law enforcement covering {}",
    "statewide": "Statewide law enforcement ({})",
    "victim_services": "Victim service providers ({})",
}
PROTOCOL = ("*The protocol:* if someone is in immediate danger, call 911. Then call your local law "
            "enforcement contact. Then the National Human Trafficking Hotline: 1-888-373-7888, "
            "text 233733 (BeFree), humantraffickinghotline.org.")
PLACE_FORMS = ("a county (`Douglas County, NE` or `Douglas, NE`), a city (`Omaha, NE`), a ZIP code (`68102`), "
               "a state (`Nebraska`), or nothing for your own county")


def tel(phone: str) -> Mrkdwn:
    """A tap-to-call link: '(402) 555-0100 x12' → <tel:+14025550100,12|(402) 555-0100 x12>."""
    number, _, extension = phone.partition(" x")
    digits = re.sub(r"\D", "", number)
    target = f"+1{digits[-10:]}" + (f",{extension}" if extension.isdigit() else "")
    return link(f"tel:{target}", phone)


def mailto(email: str) -> Mrkdwn:
    return link(f"mailto:{email}", email)


def contact_line(who: Stakeholder, unconfirmed_since: date | None = None) -> Mrkdwn:
    """Name, title, agency; direct phone, e-mail and Slack mention; and since when the details are
    unconfirmed, for a contact who left their yearly question unanswered."""
    title = md(", {}", who.title) if who.title else Mrkdwn("")
    reach = Mrkdwn(" · ").join([tel(who.phone), mailto(who.email), _mention(who.slack_user_id)])
    line = md("*{}*{} — {}\n{}", who.name, title, who.organization, reach)
    return line + Mrkdwn(" · ") + unconfirmed_note(unconfirmed_since) if unconfirmed_since else line


def contacts_message(found: Directory) -> Message:
    """One page of a place's contacts, grouped, with a "more" button when there are more."""
    page, shown = found.page, found.entries
    blocks = [section(md("*Contacts for {}*{}", found.label, md(" (page {})", page) if page > 1 else ""))]
    if not found.total:
        blocks.append(section(md("No approved law enforcement or victim-service contacts cover {} yet. Your "
                                 "coalition admins are adding them.", found.label)))
    heading = None
    for entry in shown:
        if (entry.group, entry.county) != heading:   # a whole state's list is headed county by county
            heading = (entry.group, entry.county)
            blocks.append(context(md("*" + HEADINGS[entry.group] + "*", _scope(found, entry))))
        blocks.append(section(contact_line(entry.who, entry.unconfirmed_since)))
    if found.has_more:
        left = found.total - page * found.per_page
        blocks.append(more_button(left, f"contact {found.place_text} page {page + 1}"))
    blocks.append(context(Mrkdwn(f"*{SAFETY}* ") + HOTLINE))
    summary = md("Contacts for {} ({} in all{}). {} {}", found.label, found.total,
                 md(", page {} of {}", page, found.pages) if found.pages > 1 else "", SAFETY, HOTLINE)
    return Message(summary, blocks)


def candidates_message(typed: str, place: Place) -> Message:
    """Which place was meant: each candidate a button that runs the lookup."""
    choices = [c.label if hasattr(c, "label") else c.name for c in place.candidates]
    buttons = [command_button(label, f"contact {label}", n) for n, label in enumerate(choices[:5])]
    more = [command_button(label, f"contact {label}", n) for n, label in enumerate(choices[5:10], 5)]
    blocks = [section(md('"{}" could be several places. Which one?', typed)), actions(*buttons)]
    if more:
        blocks.append(actions(*more))
    text = md('"{}" could be {}. Type `/tat contact` and one of them.', typed, "; ".join(choices))
    return Message(text, blocks)


def with_reading(shown: Message, place: Place, typed: str) -> Message:
    """A page of contacts, saying under its title how the place typed was read when that was not
    plain (a close name taken for it, a postal city), with the other places it may mean as buttons."""
    note = reading(place, typed)
    if note is None:
        return shown
    others = [command_button(other.called, f"contact {other.county.label}", n)
              for n, other in enumerate(place.alternatives, 1)]
    blocks = [*shown.blocks[:1], section(note), *([actions(*others)] if others else []), *shown.blocks[1:]]
    return Message(note + Mrkdwn(" ") + shown.text, blocks, shown.picture)


def reading(place: Place, typed: str) -> Mrkdwn | None:
    """'I took “Omahaa” to be Omaha, NE (Douglas County).', 'Lincoln, NE is in Lancaster County.',
    and whether another place was meant; None when the text named the place plainly."""
    county = place.county
    if place.guessed:
        taken = md("{} ({})", place.city, county.name) if place.city and county else \
            (county.label if county else place.state.name)
        said = md("I took “{}” to be {}.", echoed(place.guessed), taken)
    elif place.city and county:
        said = md("{} is in {}.", place.city, county.name)
    elif place.alternatives and county:
        said = md("“{}” is {}.", typed, county.label)
    else:
        return None
    return said + Mrkdwn(" Or did you mean:") if place.alternatives else said


def unknown_place(typed: str) -> Message:
    text = md('I could not find a place called "{}". Try ', typed) + Mrkdwn(PLACE_FORMS) + Mrkdwn(".")
    return Message(text, [section(text)])


def no_home_place() -> Message:
    text = Mrkdwn("I don't know your county yet. Type `/tat contact` and a place: ") + Mrkdwn(PLACE_FORMS) + "."
    return Message(text, [section(text)])


DECLINED = ("Your registration was not approved. Please contact your coalition lead, or correct your details "
            "with `/tat register` to ask again.")


def not_approved(status: str | None) -> Message:
    """For someone who may not see contact details: what to do now, and how to register."""
    how = {"pending": "Your registration is waiting for a coalition admin's approval; once approved you will see "
                      "your local law enforcement contacts here.",
           "declined": DECLINED}.get(status or "", "Local law enforcement contacts are shown to approved coalition "
                                                  "members. Register with `/tat register`; a coalition admin will "
                                                  "approve you.")
    text = Mrkdwn(f"*{SAFETY}*\n") + HOTLINE + Mrkdwn("\n") + Mrkdwn(how)
    return Message(text, [section(text)])


def _scope(found: Directory, entry: Entry) -> str:
    if entry.group == "local":
        where = entry.county or found.county
        return where.label if where else found.state.name
    return found.state.name


def _mention(user_id: str) -> Mrkdwn:
    try:
        return mention(user_id)
    except ValueError:
        return Mrkdwn("")


def sector_word(who: Stakeholder) -> str:
    return Sector(who.sector).label


def introduction(site: Stakeholder, officers: list[Stakeholder], where: str) -> Message:
    """The group DM that introduces a site's manager to their local law enforcement."""
    place = md("{} ({}, {})", site.site_name or site.organization, sector_word(site), where)
    opening = md("*Introductions.* {} manages {}; meet your local law enforcement contact(s). Save each "
                 "other's direct numbers:", _mention(site.slack_user_id), place)
    blocks = [section(opening), context(md("*{}*", sector_word(site))), section(contact_line(site)),
              context(Mrkdwn("*Law enforcement*"))]
    blocks += [section(contact_line(officer)) for officer in officers]
    blocks += [section(Mrkdwn(PROTOCOL)), context(Mrkdwn("Type `/tat contact` any time to see your contacts."))]
    names = ", ".join(o.name for o in officers)
    text = md("Introductions: {} of {} meets {}. ", site.name, site.site_name or site.organization, names) + \
        Mrkdwn(PROTOCOL)
    return Message(text, blocks)


def contact_changed(who: Stakeholder, changes: list[tuple[str, str, str]]) -> Message:
    """An admin's note that an approved contact changed their phone or e-mail."""
    lines = [md("• {}: {} → {}", "Phone" if name == "phone" else "E-mail", old, new) for name, old, new in changes]
    opening = md("*{}* ({}, {}) changed their contact details; they stay approved:", who.name,
                 sector_word(who), who.organization)
    text = Mrkdwn("\n").join([opening, *lines])
    return Message(text, [section(text)])
