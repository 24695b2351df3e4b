"""Every way into the bot, on one screen: /tat subcommands, button actions, modals and events."""
from dataclasses import dataclass

from slack_bolt import App
from sqlalchemy.orm import Session, sessionmaker

from handlers import home, registration, registration_blocks, registration_form
from handlers.commands import Call, Command, help_message
from handlers.errors import on_error
from handlers.slash import tat_listener


@dataclass(frozen=True)
class Services:
    """What listeners need besides Slack: the database and who the admins are."""

    sessions: sessionmaker[Session]
    admins: frozenset[str]


def _help(call: Call, session: None):
    return help_message(COMMANDS, call.is_admin)


COMMANDS = [
    Command("help", "help", "what I can do (this list)", _help, uses_database=False),
    Command("register", "register", "register with the coalition, or edit your profile", registration.open_form),
]

ACTIONS = {
    "approve_registration": registration.approve,
    "decline_registration": registration.decline,
    "open_registration": home.open_registration,
    registration_blocks.SECTOR_CHOSEN: registration_form.refit,
    registration_blocks.STATE_CHOSEN: registration_form.refit,
}

VIEWS = {
    "register": registration.submit,
}

EVENTS = {
    "app_home_opened": home.publish_home,
}


def register(app: App, services: Services) -> None:
    """Attach every listener to the Bolt app."""

    @app.middleware
    def provide_services(context, next):
        context["services"] = services
        next()

    app.command("/tat")(tat_listener(COMMANDS))
    for action_id, listener in ACTIONS.items():
        app.action(action_id)(listener)
    for callback_id, listener in VIEWS.items():
        app.view(callback_id)(listener)
    for event_type, listener in EVENTS.items():
        app.event(event_type)(listener)
    app.error(on_error)
