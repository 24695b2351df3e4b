"""Every way into the bot, on one screen: /tat subcommands, button actions, modals and events."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_bolt import App
from sqlalchemy.orm import Session, sessionmaker

from handlers import (
    blocks,
    coalitions,
    followup_blocks,
    home,
    member_blocks,
    members,
    outbox_admin,
    progress,
    registration,
    registration_blocks,
    registration_form,
    resource_blocks,
    resources,
    trainings,
)
from handlers.commands import Call, Command, help_message
from handlers.contact import contact
from handlers.errors import on_error
from handlers.export import export
from handlers.intake import bounded_text
from handlers.introduce import introduce
from handlers.language import language_command, message_posted
from handlers.later import Later
from handlers.slash import run_command_listener, tat_listener
from handlers.strangers import refuse_strangers
from storage.models import now


@dataclass(frozen=True)
class Services:
    """What listeners need besides Slack: the database, who the admins are, and a way to make
    Slack calls after the acknowledgement (never in the thread that answers Slack)."""

    sessions: sessionmaker[Session]
    admins: frozenset[str]   # TAT_ADMINS: the admins of the token's workspace
    later: Later   # quick Slack calls: later(work); charts and exports: later.slow(work)
    clock: Callable[[], datetime] = now   # what time it is: tests move it
    home: Callable[[], str | None] = lambda: None   # the token's workspace, once auth.test has said it

    def admins_of(self, team_id: str | None) -> frozenset[str]:
        """The admins of a workspace: TAT_ADMINS are the token's workspace's (any workspace's until
        auth.test has named it, as single-token mode served before); no other has any."""
        home = self.home()
        return self.admins if home is None or team_id == home else frozenset()

    def is_admin(self, team_id: str | None, user: str) -> bool:
        return user in self.admins_of(team_id)


def NO_WORDS(call: Call) -> bool:
    """Reads only when typed with no words: the form, or the numbers (with words it stores something)."""
    return not call.text


def _help(call: Call, session: None):
    return help_message(COMMANDS, call.is_admin)


COMMANDS = [
    Command("help", "help", "what I can do (this list)", _help, uses_database=False),
    Command("register", "register", "register with the coalition, or edit your profile", registration.open_form,
            reads_only=True),
    Command("contact", "contact [place]", "your local law enforcement and victim-service contacts "
            "(a county, city, ZIP or state; nothing for your own county)", contact, reads_only=True),
    Command("introduce", "introduce", "send your introductions to your local contacts again", introduce,
            slow=True),
    Command("trained", "trained <count> [audience] [program] [date]",
            "log a training your organization gave (no words: a form)", trainings.trained, reads_only=NO_WORDS),
    Command("distribute", "distribute [on|off]", "your site hands out TAT/BOTL materials", progress.distribute),
    Command("reported", "reported [hotline|911|police] [date]", "log that you made a report (a count, no details)",
            progress.reported),
    Command("progress", "progress [state]", "the coalition's progress, with a chart", progress.show_progress,
            reads_only=True),
    Command("hotline", "hotline", "the hotline's numbers", progress.hotline, reads_only=NO_WORDS),
    Command("resources", "resources [state]", "how to get TAT training and materials into the state: the "
            "coalition's links and agreed pathways (its leads and the admins edit them)", resources.show,
            reads_only=True),
    Command("celebrate", "celebrate on|off", "whether the coalition channel celebrates your trainings",
            trainings.celebrate),
    Command("pending", "pending", "registrations waiting for your approval", registration.pending_list,
            admins_only=True, reads_only=True),
    Command("outbox", "outbox", "messages the bot could not deliver, with a button to try again",
            outbox_admin.dead_letters, admins_only=True,
            reads_only=True),
    Command("language", "language off|on", "victim-centred language notes in this channel", language_command,
            admins_only=True),
    Command("milestone", "milestone", "record a state milestone (a form)", progress.milestone_form, admins_only=True,
            reads_only=True),
    Command("hotline", "hotline YYYY[-MM] count [source]", "record the state's official hotline figure",
            progress.hotline, admins_only=True),
    Command("export", "export [state]", "a CSV of stakeholders, trainings and reports, to your DM", export,
            admins_only=True, slow=True, reads_only=True),
    Command("setup", "setup [state]", "set up or edit a state's coalition: meeting, channel, leads, follow-ups",
            coalitions.open_setup, admins_only=True, reads_only=True),
    Command("followups", "followups [state]", "the coalition's follow-ups: when, status, check-ins answered",
            coalitions.list_followups, admins_only=True,
            reads_only=True),
]

ACTIONS = {
    "approve_registration": registration.approve,
    "decline_registration": registration.decline,
    "open_registration": home.open_registration,
    "retry_dead_letter": outbox_admin.retry,
    "find_contacts": home.open_find_contacts,
    trainings.UNDO: trainings.undo,
    registration_blocks.SECTOR_CHOSEN: registration_form.refit,
    registration_blocks.STATE_CHOSEN: registration_form.refit,
    **dict.fromkeys(followup_blocks.CHECKIN_ACTIONS, coalitions.press_checkin),
    followup_blocks.NOT_NOW: coalitions.press_not_now,
    followup_blocks.SETUP_STATE_CHOSEN: coalitions.refit_setup,
    member_blocks.CONFIRM: members.press_confirm,
    member_blocks.EDIT: members.press_edit,
    resource_blocks.ADD: resources.open_add,
    resource_blocks.EDIT: resources.open_edit,
}

VIEWS = {
    "register": registration.submit,
    home.FIND_CONTACTS: home.find_contacts,
    trainings.FORM: trainings.submit_form,
    progress.MILESTONE_FORM: progress.submit_milestone,
    followup_blocks.SETUP: coalitions.submit_setup,
    resource_blocks.FORM: resources.submit,
}

EVENTS = {
    "app_home_opened": home.publish_home,
    "message": message_posted,   # message.channels, message.groups: the victim-centred language note
    "member_joined_channel": coalitions.channel_ready,   # the bot invited to a coalition channel...
    "channel_unarchive": coalitions.channel_ready,       # ...or it unarchived: a refused follow-up goes out
    "group_unarchive": coalitions.channel_ready,
    "user_change": members.user_changed,   # a member deactivated in Slack leaves the directory
}


def register(app: App, services: Services, identity=None) -> None:
    """Attach every listener to the Bolt app (`identity`: the bot's own workspace, once auth.test says it;
    a request from any other is refused before any listener runs)."""

    @app.middleware
    def provide_services(context, next):
        context["services"] = services
        next()

    if identity is not None:
        app.middleware(refuse_strangers(identity))
    app.middleware(bounded_text)

    app.command("/tat")(tat_listener(COMMANDS))
    app.action(blocks.RUN_COMMANDS)(run_command_listener(COMMANDS))
    for action_id, listener in ACTIONS.items():
        app.action(action_id)(listener)
    for callback_id, listener in VIEWS.items():
        app.view(callback_id)(listener)
    for event_type, listener in EVENTS.items():
        app.event(event_type)(listener)
    app.error(on_error)
