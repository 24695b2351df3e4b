"""The App Home tab: who you are to the coalition, your local contacts, and what you can do."""
from sqlalchemy.orm import Session

from domain.contacts import directory_of, home_place, may_see_contacts
from domain.places import PLACE_TEXT
from domain.registration import profile_of
from handlers import contact_blocks, registration_blocks
from handlers.blocks import (
    Message,
    actions,
    button,
    context,
    divider,
    md,
    modal,
    safety_footer,
    section,
    submitted_values,
    text_input,
)
from handlers.commands import Call
from handlers.contact import contact
from handlers.registration import current_profile, waiting_page
from handlers.replays import open_view
from storage import progress, stakeholders
from storage.db import reading

FIND_CONTACTS = "find_contacts"   # the modal that asks for a place
HOME_CONTACTS = 5                 # contacts shown in the Home tab; /tat contact shows them all
STATUS = {
    "approved": "approved ✅",
    "pending": "waiting for a coalition admin's approval",
    "declined": "not approved: please contact your coalition lead, or correct your details",
}


def publish_home(event, client, context):
    """`app_home_opened`: show the person their registration (and an admin what waits for them)."""
    if event.get("tab") == "home":
        publish_for(context["services"], client, event["user"], context.get("team_id") or "")


def publish_for(services, client, user: str, team: str) -> None:
    """Build the person's Home tab now (reading only: it never waits for the write lock), and publish it
    after the acknowledgement."""
    with reading(services.sessions) as session:
        view = home_view_for(session, user, services.is_admin(team, user), team)
    services.later(lambda: client.views_publish(user_id=user, view=view))


def home_view_for(session: Session, user: str, is_admin: bool, team: str) -> dict:
    who = stakeholders.by_slack_user(session, team, user)
    waiting = waiting_page(session, team, user) if is_admin else []
    waiting_total = stakeholders.pending_count(session, team, excluding=user) if waiting else 0
    local = None
    if who is not None and may_see_contacts(who, is_admin) and home_place(who).found:
        local = directory_of(session, home_place(who), team=team)
    return home_view(profile_of(who) if who else None, who.status if who else None, waiting,
                     local=local, trainings=training_total(session, who, team), waiting_total=waiting_total)


def training_total(session: Session, who, team: str) -> int | None:
    """People trained by the person's organization, as logged with `/tat trained` (None before they register)."""
    if who is None or who.status != "approved":
        return None
    return progress.trained_total(session, team, who.state, who.organization)


def open_registration(ack, body, client, context):
    """The Home tab's Register / Edit button opens the same form as `/tat register`."""
    ack()
    services = context["services"]
    with services.sessions.begin() as session:
        team = (body.get("team") or {}).get("id") or ""
        form = registration_blocks.registration_form(current_profile(session, team, body["user"]["id"]))
    trigger, user = body["trigger_id"], body["user"]["id"]
    services.later(open_view(services, client, trigger, form, user, team))


def open_find_contacts(ack, body, client, context):
    """The Home tab's Find contacts button: a small form that asks for a place."""
    ack()
    trigger = body["trigger_id"]
    view = modal(FIND_CONTACTS, "Find contacts", "Find", [
        text_input("place", "Place", optional=True, placeholder="Douglas County, NE · Omaha, NE · 68102",
                   max_length=PLACE_TEXT,
                   hint="A county, city, ZIP code or state; leave empty for your own county."),
        safety_footer(),
    ])
    context["services"].later(lambda: client.views_open(trigger_id=trigger, view=view))


def find_contacts(ack, body, view, context):
    """The place was given: the contacts replace the form, as `/tat contact` shows them."""
    services, user = context["services"], body["user"]["id"]
    place = submitted_values(view).text("place") or ""
    with reading(services.sessions) as session:
        team = (body.get("team") or {}).get("id", "")
        found = contact(Call(user, place, services.is_admin(team, user), team_id=team), session)
    ack(response_action="update", view=modal_without_submit("contact_results", "Contacts", found))


def modal_without_submit(callback_id: str, title: str, message: Message) -> dict:
    view = modal(callback_id, title, "Done", message.blocks)
    view.pop("submit")
    view["close"] = {"type": "plain_text", "text": "Close", "emoji": True}
    return view


def home_view(profile, status: str | None, waiting: list | None = None, local=None,
              trainings: int | None = None, waiting_total: int | None = None) -> dict:
    """The Home tab's blocks for a registered person, or for someone yet to register."""
    if profile is None:
        blocks = [
            section("*Welcome to your state's TAT coalition.*\nYou are not registered yet. Register so "
                    "that a coalition admin can approve you and connect you with your local contacts."),
            actions(button("Register", "open_registration", "register", style="primary"),
                    button("Find contacts", FIND_CONTACTS, "find")),
        ]
    else:
        blocks = [
            section(md("*{}*, {}, {}\nRegistration: {}", profile.name, profile.sector.label,
                       profile.organization, STATUS.get(status, status))),
            registration_blocks.profile_fields(profile),
            actions(button("Edit registration", "open_registration", "edit"),
                    button("Find contacts", FIND_CONTACTS, "find")),
        ]
        if trainings is not None:
            blocks.append(context(md("Your organization's trainings logged: *{}*", trainings)))
    if local is not None:
        blocks += [divider(), *_local_contacts(local)]
    if waiting:
        listed = registration_blocks.pending_list(waiting, waiting_total or len(waiting))
        blocks += [divider(), *listed.blocks]
    blocks += [context("Type `/tat help` in any channel for every command."), safety_footer()]
    return {"type": "home", "blocks": blocks}


def _local_contacts(local) -> list[dict]:
    """The first few contacts of the person's county, and how to see the rest."""
    shown = [e for e in local.entries if e.group != "victim_services"][:HOME_CONTACTS]
    blocks = [section(md("*Your local law enforcement contacts ({})*", local.label))]
    blocks += [section(contact_blocks.contact_line(e.who)) for e in shown]
    if not shown:
        blocks.append(context("No approved law enforcement contact covers your county yet."))
    if local.total > len(shown):
        blocks.append(context(md("`/tat contact` shows all {} contacts, victim services included.", local.total)))
    return blocks
