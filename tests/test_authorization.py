"""Who may do what: every /tat command and every button (and the forms they open) against every kind
of person, in one table. This is where a new command's or button's rights are written down: add its
row to RIGHTS (docs/adding-a-command.md says so), and the test checks it for all eight people.

A cell is "Y" when the person is served (the command's data, form or effect) and "-" when they are
refused; a refusal is always a private 200 that changes nothing and shows no contact detail. The
people, all in Nebraska's workspace (a workspace the bot is not installed in: tests/test_strangers.py):

    stranger   never registered             member      approved, Nebraska (a truck stop in Omaha)
    pending    registered, not decided      other       approved, Kansas
    declined   registered, declined         lead        a lead of Nebraska's coalition (approved)
    admin      in TAT_ADMINS                other_lead  a lead of Kansas's coalition (approved)
"""
import json
from datetime import UTC, date, datetime

import pytest

from domain import coalitions, notices
from domain.coalitions import Setup
from domain.profile import parse_profile
from domain.registration import register
from localslack import payloads
from storage import stakeholders
from storage.models import OutboxMessage
from tests.conftest import ADMIN, TEAM_ID, count_rows
from tests.test_followups import nothing_due
from tests.test_registration import SHERIFF, SHERIFF_FORM, TRUCK_STOP, wait_until

TEAM = payloads.TEAM["id"]
ROLES = ("stranger", "pending", "declined", "member", "other", "lead", "other_lead", "admin")
PEOPLE = {"stranger": "U0STRANGE1", "pending": "U0PENDING1", "declined": "U0DECLINE1", "member": "U0MANAGER1",
          "other": "U0KANSAS01", "lead": "U0NELEAD01", "other_lead": "U0KSLEAD01", "admin": ADMIN}
KANSAS = {**TRUCK_STOP, "name": "Kim Kansas", "organization": "Wheat State Freight", "sector": "trucking_company",
          "state": "KS", "place": "Sedgwick County", "email": "kim@wheat.example", "site_name": "",
          "interstate": "", "exit": ""}
FORMS = {
    "pending": {**TRUCK_STOP, "name": "Pat Pending", "email": "pat@pending.example"},
    "declined": {**TRUCK_STOP, "name": "Dee Declined", "email": "dee@declined.example"},
    "member": TRUCK_STOP,
    "other": KANSAS,
    "lead": {**TRUCK_STOP, "name": "Lee Lead", "sector": "association", "organization": "Nebraska Trucking "
             "Association", "email": "lee@nta.example", "site_name": "", "interstate": "", "exit": ""},
    "other_lead": {**KANSAS, "name": "Kai Lead", "email": "kai@kmca.example"},
    "admin": {**SHERIFF_FORM, "name": "Alex Admin", "organization": "Nebraska Attorney General", "place": "statewide",
              "email": "alex@ago.example", "phone": "402-555-0111"},
}

# entry point                       stranger pending declined member other lead other_lead admin
RIGHTS = {
    "/tat help":                       "Y Y Y Y Y Y Y Y",
    "/tat register":                   "Y Y Y Y Y Y Y Y",
    "/tat contact Douglas County, NE": "- - - Y Y Y Y Y",
    "/tat introduce":                  "- - - Y Y Y Y Y",
    "/tat trained 5":                  "- - - Y Y Y Y Y",
    "/tat distribute":                 "- - - Y Y Y Y Y",
    "/tat reported 911":               "- - - Y Y Y Y Y",
    "/tat progress":                   "- - - Y Y Y Y Y",
    "/tat hotline":                    "Y Y Y Y Y Y Y Y",
    "/tat resources NE":               "- Y - Y Y Y Y Y",
    "/tat celebrate off":              "- - - Y Y Y Y Y",
    "/tat pending":                    "- - - - - - - Y",
    "/tat outbox":                     "- - - - - - - Y",
    "/tat language on":                "- - - - - - - Y",
    "/tat milestone":                  "- - - - - - - Y",
    "/tat hotline 2026-01 12":         "- - - - - - - Y",
    "/tat export":                     "- - - - - - - Y",
    "/tat setup NE":                   "- - - - - - - Y",
    "/tat followups":                  "- - - - - - - Y",
    "button: run_command (contact)":   "- - - Y Y Y Y Y",
    "button: approve_registration":    "- - - - - Y - Y",
    "button: decline_registration":    "- - - - - Y - Y",
    "button: open_registration":       "Y Y Y Y Y Y Y Y",
    "button: find_contacts (and its form)": "- - - Y Y Y Y Y",
    "button: retry_dead_letter":       "- - - - - - - Y",
    "button: undo_training (the member's)": "- - - Y - - - -",
    "button: registration_sector_chosen (own form)": "Y Y Y Y Y Y Y Y",
    "button: coalition_setup_state_chosen (the admin's form)": "- - - - - - - Y",
    "button: checkin_need (Nebraska's)":    "- - - Y - Y - Y",
    "button: checkin_not_now (Nebraska's)": "- - - Y - Y - Y",
    "button: confirm_contact_details (own question)": "- - - - - - - Y",
    "button: add_resource (NE)":      "- - - - - Y - Y",
    "form: trained":                   "- - - Y Y Y Y Y",
}


def cells(row: str) -> dict[str, bool]:
    marks = row.split()
    assert len(marks) == len(ROLES) and set(marks) <= {"Y", "-"}
    return {role: mark == "Y" for role, mark in zip(ROLES, marks, strict=True)}


@pytest.fixture
def world(running):
    """Nebraska's workspace with the eight people, Douglas County's sheriff, and both coalitions."""
    sessions = running.bot.services.sessions
    with sessions.begin() as session:
        for role, form in FORMS.items():
            approvers = frozenset() if role in ("pending", "declined") else frozenset({PEOPLE[role]})
            register(session, PEOPLE[role], parse_profile(form), approvers, form="test", team_id=TEAM)
        register(session, SHERIFF, parse_profile(SHERIFF_FORM), frozenset({SHERIFF}), form="test", team_id=TEAM)
        stakeholders.by_slack_user(session, TEAM_ID, PEOPLE["declined"]).status = "declined"
        now = datetime.now(UTC)
        for state, lead, channel in (("NE", "lead", "C0NECOAL01"), ("KS", "other_lead", "C0KSCOAL01")):
            coalitions.save(session, TEAM, Setup(state, date(2026, 1, 5), channel, "America/Chicago",
                                                 (PEOPLE[lead],), None), ADMIN, now)
    running.bot.later.wait_idle()
    wait_until(lambda: nothing_due(running.bot))   # what registering owed (approvers' requests) is sent first
    return running


def answer(running, user: str, send) -> str:
    """Everything the bot said or opened for this person because of one request: the HTTP answer,
    then (once its work after the acknowledgement is done) replies, forms opened and DMs."""
    mark = len(running.slack.calls)
    response = send()
    assert response.status == 200, response.body
    running.bot.later.wait_idle()
    later = [c for c in running.slack.calls[mark:] if c.method in ("response_url", "views.open", "views.update")
             or (c.method == "chat.postMessage" and c.params.get("channel") == user)]
    for call in later:
        if call.method == "response_url":   # private: ephemeral, or in place of the private message pressed
            assert call.params.get("response_type") == "ephemeral" or call.params.get("replace_original"), call.params
    return response.body + json.dumps([c.params for c in later])


def command(running, user: str, text: str) -> str:
    return answer(running, user, lambda: running.command(user, text))


def press(running, user: str, action: dict, *, view: dict | None = None) -> str:
    button = {"type": "button", "text": {"type": "plain_text", "text": "x"}, **action}
    if view is not None:
        return answer(running, user, lambda: running.send(payloads.home_button(user, button, view)))
    message = {"ts": "1700000000.000001", "text": "x", "blocks": []}
    return answer(running, user, lambda: running.send(payloads.block_action(
        user, button, message, "D0PRIVATE1", running.slack.response_url(user), ephemeral=True)))


def opened(said: str, callback_id: str) -> bool:
    return f'"callback_id": "{callback_id}"' in said


def stakeholder_id(running, user: str) -> int:
    with running.bot.services.sessions() as session:
        who = stakeholders.by_slack_user(session, TEAM_ID, user)
        return who.id if who else 0


# -- how each entry point shows it served someone ----------------------------------------------------------
def served_command(text: str):
    markers = {
        "help": lambda s: "/tat register" in s and "I don" not in s,
        "register": lambda s: opened(s, "register"),
        "contact": lambda s: "Dana Deputy" in s,
        "introduce": lambda s: any(m in s for m in ("Sending your introductions", "Introductions connect",
                                                   "No approved", "already sent again")),
        "trained": lambda s: "Logged: 5" in s,
        "distribute": lambda s: "point of distribution" in s or "Distribution points are" in s,   # by sector
        "reported": lambda s: "logged one report" in s,
        "progress": lambda s: "Coalition progress" in s,
        "hotline": lambda s: "1-888-373-7888" in s and "Only coalition admins" not in s,
        "resources": lambda s: "Resources of the Nebraska coalition" in s,
        "celebrate": lambda s: "will no longer celebrate" in s,
        "pending": lambda s: "Pat Pending" in s,
        "outbox": lambda s: "nothing is stuck" in s,
        "language": lambda s: "language notes are on" in s,
        "milestone": lambda s: opened(s, "milestone"),
        "export": lambda s: "Exported every state" in s,
        "setup": lambda s: opened(s, "coalition_setup"),
        "followups": lambda s: "1-month follow-up:" in s,
    }
    word = text.split()[1]
    if text == "/tat hotline 2026-01 12":
        return lambda s: "Recorded the hotline figure" in s
    return markers[word]


def run_cell(world, entry: str, role: str) -> bool:
    """Whether `role` was served by `entry`; asserts a refusal changed nothing it guards."""
    user = PEOPLE[role]
    if entry.startswith("/tat "):
        said = command(world, user, entry[5:])
        served = served_command(entry)(said)
        if not served:
            assert "444-6000" not in said and "sheriff.example" not in said, said
        return served
    return BUTTONS[entry](world, user)


def run_command_button(world, user: str) -> bool:
    said = press(world, user, {"action_id": "run_command:0", "value": "contact Douglas County, NE"})
    return "Dana Deputy" in said


def decision(approve: bool):
    def run(world, user: str) -> bool:
        waiting = f"U9{user[2:]}{int(approve)}"   # a registration of its own for each presser
        with world.bot.services.sessions.begin() as session:
            register(session, waiting, parse_profile({**TRUCK_STOP, "name": "Wade Waiting"}), frozenset(),
                     form="test", team_id=TEAM)
            who = stakeholders.by_slack_user(session, TEAM_ID, waiting)
            value = f"{who.id}:{who.revision}"
        press(world, user, {"action_id": "approve_registration" if approve else "decline_registration",
                            "value": value})
        with world.bot.services.sessions() as session:
            return stakeholders.by_slack_user(session, TEAM_ID, waiting).status != "pending"
    return run


def open_registration(world, user: str) -> bool:
    return opened(press(world, user, {"action_id": "open_registration"}, view={"id": "VHOME0001", "type": "home"}),
                  "register")


def find_contacts(world, user: str) -> bool:
    said = press(world, user, {"action_id": "find_contacts"}, view={"id": "VHOME0001", "type": "home"})
    form = next(c.params["view"] for c in reversed(world.slack.calls_to("views.open"))
                if c.params["view"]["callback_id"] == "find_contacts")
    assert opened(said, "find_contacts")
    place = next(b["block_id"] for b in form["blocks"] if b["type"] == "input")
    shown = answer(world, user, lambda: world.send(payloads.view_submission(user, form, {place: "Douglas County, NE"})))
    return "Dana Deputy" in shown


def retry_dead_letter(world, user: str) -> bool:
    with world.bot.services.sessions.begin() as session:
        row = OutboxMessage(team_id=TEAM_ID, key=f"dead:{user}", channel=user, text="stuck", kind="literal",
                            dead_at=datetime.now(UTC), last_error="channel_not_found")
        session.add(row)
        session.flush()
        row_id = row.id
    press(world, user, {"action_id": "retry_dead_letter", "value": str(row_id)})
    with world.bot.services.sessions() as session:
        return session.get(OutboxMessage, row_id).dead_at is None


def undo_training(world, user: str) -> bool:
    logged = json.loads(world.command(PEOPLE["member"], "trained 3").body)
    undo = next(e for b in logged["blocks"] if b["type"] == "actions" for e in b["elements"])
    before = count_rows(world.database_url, "trainings")
    press(world, user, {"action_id": "undo_training", "value": undo["value"]})
    return count_rows(world.database_url, "trainings") < before


def registration_refit(world, user: str) -> bool:
    said = command(world, user, "register")
    view = next(c.response["view"] for c in reversed(world.slack.calls_to("views.open"))
                if c.params["view"]["callback_id"] == "register")
    assert opened(said, "register")
    before = len(world.slack.calls_to("views.update"))
    world.send(payloads.view_action(user, view, {"sector": "law_enforcement"}, "sector"))
    world.bot.later.wait_idle()
    return len(world.slack.calls_to("views.update")) > before


def setup_refit(world, user: str) -> bool:
    command(world, ADMIN, "setup")
    view = next(c.response["view"] for c in reversed(world.slack.calls_to("views.open"))
                if c.params["view"]["callback_id"] == "coalition_setup")
    before = len(world.slack.calls_to("views.update"))
    world.send(payloads.view_action(user, view, {"state": "TN"}, "state"))
    world.bot.later.wait_idle()
    return len(world.slack.calls_to("views.update")) > before


def nebraska_checkin(world) -> str:
    """Nebraska's 1-month check-in, sent to its approved members: the value its buttons carry."""
    with world.bot.services.sessions.begin() as session:
        coalition = coalitions.coalitions.by_state(session, TEAM, "NE")
        for role in ROLES:
            who = stakeholders.by_slack_user(session, TEAM_ID, PEOPLE[role])
            if who is not None and who.status == "approved" and who.state == "NE":
                notices.queue(session, TEAM_ID, notices.CheckIn(coalition.id, 1, who.id, PEOPLE[role]))
        value = f"{coalition.id}:1"
    world.bot.sender.send_due()
    return value


def checkin(world, user: str) -> bool:
    value = nebraska_checkin(world)
    before = count_rows(world.database_url, "checkin_answers")
    press(world, user, {"action_id": "checkin_need", "value": value})
    return count_rows(world.database_url, "checkin_answers") > before


def checkin_not_now(world, user: str) -> bool:
    value = nebraska_checkin(world)
    said = press(world, user, {"action_id": "checkin_not_now", "value": value})
    return "remind you" in said


def contact_confirm(world, user: str) -> bool:
    """A contact's yearly question, to the admin (Nebraska's statewide officer); each presses their own id."""
    said = press(world, user, {"action_id": "confirm_contact_details", "value": f"{stakeholder_id(world, user)}:1"})
    return "Thank" in said or "thank" in said


def resources_add(world, user: str) -> bool:
    return opened(press(world, user, {"action_id": "add_resource", "value": "NE"}), "resource_form")


def trained_form(world, user: str) -> bool:
    form = {"type": "modal", "callback_id": "trained", "title": {"type": "plain_text", "text": "Log a training"},
            "blocks": json.loads(json.dumps(__import__("handlers.trainings", fromlist=["x"]).training_form(
                "drivers", "TAT", date(2026, 1, 5))["blocks"]))}
    before = count_rows(world.database_url, "trainings")
    world.send(payloads.view_submission(user, form, {"count": "4", "audience": "drivers", "program": "TAT",
                                                     "on": "2026-01-05"}))
    return count_rows(world.database_url, "trainings") > before


BUTTONS = {
    "button: run_command (contact)": run_command_button,
    "button: approve_registration": decision(approve=True),
    "button: decline_registration": decision(approve=False),
    "button: open_registration": open_registration,
    "button: find_contacts (and its form)": find_contacts,
    "button: retry_dead_letter": retry_dead_letter,
    "button: undo_training (the member's)": undo_training,
    "button: registration_sector_chosen (own form)": registration_refit,
    "button: coalition_setup_state_chosen (the admin's form)": setup_refit,
    "button: checkin_need (Nebraska's)": checkin,
    "button: checkin_not_now (Nebraska's)": checkin_not_now,
    "button: confirm_contact_details (own question)": contact_confirm,
    "button: add_resource (NE)": resources_add,
    "form: trained": trained_form,
}


@pytest.mark.parametrize("entry", list(RIGHTS))
def test_who_may_do_what(world, entry):
    expected = cells(RIGHTS[entry])
    actual = {role: run_cell(world, entry, role) for role in ROLES}
    wrong = {role: ("served" if actual[role] else "refused") for role in ROLES if actual[role] != expected[role]}
    assert not wrong, f"{entry}: " + ", ".join(f"{role} was {what}" for role, what in wrong.items())


# buttons whose rights are those of a row above (the same check, another choice or answer)
SAME_AS = {"registration_state_chosen": "registration_sector_chosen", "edit_contact_details": "confirm_contact_details",
           "edit_resource": "add_resource", "checkin_trained": "checkin_need", "checkin_distribute": "checkin_need",
           "checkin_not_yet": "checkin_need"}


def test_every_command_and_button_has_its_row():
    import handlers

    assert {c.word for c in handlers.COMMANDS} <= {entry.split()[1] for entry in RIGHTS if entry.startswith("/tat ")}
    named = {entry.split()[1] for entry in RIGHTS if entry.startswith("button: ")}
    missing = [a for a in handlers.ACTIONS if a not in named and SAME_AS.get(a) not in named]
    assert not missing, f"buttons with no row in RIGHTS: {missing}"
    assert set(handlers.VIEWS) - {"register", "find_contacts", "milestone", "coalition_setup", "resource_form"} == {
        "trained"} and "form: trained" in RIGHTS   # the other forms open only for whoever their command serves
