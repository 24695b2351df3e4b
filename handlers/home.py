"""The App Home tab: who you are to the coalition, and a button to register or edit."""
from domain.registration import profile_of
from handlers import registration_blocks
from handlers.blocks import actions, button, context, divider, md, safety_footer, section
from handlers.registration import current_profile
from storage import stakeholders

STATUS = {
    "approved": "approved ✅",
    "pending": "waiting for a coalition admin's approval",
    "declined": "not approved: please contact your coalition lead, or correct your details",
}


def publish_home(event, client, context):
    """`app_home_opened`: show the person their registration (and an admin what waits for them)."""
    if event.get("tab") == "home":
        publish_for(context["services"], client, event["user"])


def publish_for(services, client, user: str) -> None:
    """Build the person's Home tab now, and publish it after the acknowledgement."""
    with services.sessions.begin() as session:
        who = stakeholders.by_slack_user(session, user)
        waiting = stakeholders.pending(session) if user in services.admins else []
        view = home_view(profile_of(who) if who else None, who.status if who else None,
                         [(w.id, w.revision, w.slack_user_id, profile_of(w)) for w in waiting])
    services.later(lambda: client.views_publish(user_id=user, view=view))


def open_registration(ack, body, client, context):
    """The Home tab's Register / Edit button opens the same form as `/tat register`."""
    ack()
    services = context["services"]
    with services.sessions.begin() as session:
        form = registration_blocks.registration_form(current_profile(session, body["user"]["id"]))
    trigger = body["trigger_id"]
    services.later(lambda: client.views_open(trigger_id=trigger, view=form))


def home_view(profile, status: str | None, waiting: list | None = None) -> dict:
    """The Home tab's blocks for a registered person, or for someone yet to register."""
    if profile is None:
        blocks = [
            section("*Welcome to your state's TAT coalition.*\nYou are not registered yet. Register so "
                    "that a coalition admin can approve you and connect you with your local contacts."),
            actions(button("Register", "open_registration", "register", style="primary")),
        ]
    else:
        blocks = [
            section(md("*{}*, {}, {}\nRegistration: {}", profile.name, profile.sector.label,
                       profile.organization, STATUS.get(status, status))),
            registration_blocks.profile_fields(profile),
            actions(button("Edit registration", "open_registration", "edit")),
        ]
    if waiting:
        listed = registration_blocks.pending_list(waiting)
        blocks += [divider(), *listed.blocks]
    blocks += [context("Type `/tat help` in any channel for every command."), safety_footer()]
    return {"type": "home", "blocks": blocks}
