"""Two workspaces side by side, proven apart.

Two bots share one database, each with its own bot token, its own Slack stand-in (whose auth.test
names its own team) and its own TAT_ADMINS; the same Slack user ids live in both workspaces, as
different people. The same things happen in each: registrations and approvals, introductions,
`/tat contact`, `/tat pending`, an export, trainings and progress, a coalition's follow-up and its
check-ins answered, the victim-centred language note, the Home tab. Then every Web API call each bot
made, and every answer it gave Slack, is held against the other workspace's people: nothing of one
reaches the other. One workspace's buttons carrying the other's ids decide nothing.

(In single-token mode a request from a second workspace is a stranger, handlers/strangers.py: this is
the storage layer's separation, the senders' and the admins', that the install of issue 18 builds on.)
"""
import json
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

import bot as tat_bot
import schedules
from domain.followups import followup_at
from localslack import payloads
from localslack.standin import SlackStandIn
from storage.models import OutboxMessage, Stakeholder
from tests import conftest
from tests.conftest import ADMIN, TEAM_ID, Clock, RunningBot, serving, settings_for
from tests.test_followups import CHANNEL, LEAD, today
from tests.test_language import message_event
from tests.test_registration import MANAGER, SHERIFF, SHERIFF_FORM, TRUCK_STOP, open_form, wait_until

SECOND = "T0SECOND01"
ADVOCATE = "U0ADVOCATE"   # registers in both workspaces and is left pending in each
DRIVER = "U0DRIVER01"     # a trucking company's driver: approved, checked in

PEOPLE = {   # the same Slack user ids in both workspaces: different people
    TEAM_ID: {
        SHERIFF: SHERIFF_FORM,
        MANAGER: TRUCK_STOP,
        ADVOCATE: {"name": "Avery Advocate", "sector": "victim_services", "organization": "Heartland Survivor Services",
                   "title": "Director", "phone": "402-555-0177", "email": "avery@heartland.example", "state": "NE",
                   "place": "68102"},
        DRIVER: {"name": "Pat Driver", "sector": "trucking_company", "organization": "Plains Freight",
                 "title": "Driver", "phone": "402-555-0199", "email": "pat@plains.example", "state": "NE",
                 "place": "68102"},
    },
    SECOND: {
        SHERIFF: {**SHERIFF_FORM, "name": "Morgan Marshal", "organization": "Omaha Metro Marshals",
                  "phone": "(402) 555-7711", "email": "morgan@marshals.example"},
        MANAGER: {**TRUCK_STOP, "name": "Quinn Quarry", "organization": "Quarry Fuel Stop Inc",
                  "phone": "402.555.7722", "email": "quinn@quarry.example", "site_name": "Quarry Fuel Stop"},
        ADVOCATE: {"name": "Rory Refuge", "sector": "victim_services", "organization": "Second Harbor Shelter",
                   "title": "Director", "phone": "402-555-7733", "email": "rory@harbor.example", "state": "NE",
                   "place": "68102"},
        DRIVER: {"name": "Sky Hauler", "sector": "trucking_company", "organization": "Skyline Haulage",
                 "title": "Driver", "phone": "402-555-7744", "email": "sky@skyline.example", "state": "NE",
                 "place": "68102"},
    },
}


def secrets_of(team: str) -> set[str]:
    """What of a workspace's people must never reach the other: names, organisations, phones, e-mails.
    (Not the site's name: the test types the other's into /tat contact, and is told no such place.)"""
    return {form[key] for form in PEOPLE[team].values() for key in ("name", "organization", "phone", "email")}


@dataclass
class Workspace(RunningBot):
    """A bot of one workspace: requests to it come from its team, and its answers are kept."""

    team: str = TEAM_ID
    answers: list = field(default_factory=list)

    def post(self, body, headers):
        answer = super().post(body, headers)
        self.answers.append(answer.body)
        return answer

    def send(self, body: str, json_body: bool = False):
        return super().send(body.replace(TEAM_ID, self.team), json_body)

    def person(self, user: str) -> Stakeholder | None:
        with self.bot.services.sessions() as session:
            return session.scalar(select(Stakeholder).where(Stakeholder.team_id == self.team,
                                                            Stakeholder.slack_user_id == user))


@pytest.fixture
def workspaces(empty_database, slack):
    second_slack = SlackStandIn().start()
    second_slack.team = SECOND
    conftest._watch.standins.append(second_slack)   # held to Slack's rules and the channel check too
    clocks = (Clock(), Clock())
    first = tat_bot.build(settings_for(empty_database, slack), clock=clocks[0]).start()
    second = tat_bot.build(replace(settings_for(empty_database, second_slack), bot_token="xoxb-second-token"),
                           clock=clocks[1]).start()
    try:
        with serving(first, slack, empty_database, clocks[0]) as a, \
                serving(second, second_slack, empty_database, clocks[1]) as b:
            yield (Workspace(a.url, slack, a.bot, empty_database, a.clock, TEAM_ID),
                   Workspace(b.url, second_slack, b.bot, empty_database, b.clock, SECOND))
    finally:
        second_slack.stop()


def register(ws: Workspace, user: str) -> None:
    view = open_form(ws, user)
    assert ws.send(payloads.view_submission(user, view, PEOPLE[ws.team][user])).status == 200
    wait_until(lambda: ws.person(user) is not None)


def press_approve(ws: Workspace, presser: str, who_id: int, revision: int):
    button = {"type": "button", "action_id": "approve_registration", "value": f"{who_id}:{revision}",
              "text": {"type": "plain_text", "text": "Approve"}}
    message = {"ts": "1700000000.000001", "text": "pending", "blocks": []}
    answer = ws.send(payloads.block_action(presser, button, message, "C0GENERAL1", ws.slack.response_url(presser),
                                           ephemeral=True))
    ws.bot.later.wait_idle()
    return answer


def approve(ws: Workspace, user: str) -> None:
    who = ws.person(user)
    assert press_approve(ws, ADMIN, who.id, who.revision).status == 200
    wait_until(lambda: ws.person(user).status == "approved")


def reply(ws: Workspace, user: str, text: str, channel: str = "C0GENERAL1") -> str:
    answer = ws.command(user, text, channel)
    assert answer.status == 200
    return answer.body


def settled(*spaces: Workspace) -> None:
    """Each bot's sender has sent what its workspace owes now (none sends another's)."""
    for ws in spaces:
        ws.bot.later.wait_idle()

    def owed(ws: Workspace) -> int:
        with ws.bot.services.sessions() as session:
            return session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.team_id == ws.team, OutboxMessage.sent_at.is_(None),
                OutboxMessage.cancelled_at.is_(None), OutboxMessage.dead_at.is_(None),
                OutboxMessage.due_at <= ws.bot.services.clock()))
    for ws in spaces:
        ws.bot.sender.wake()
    wait_until(lambda: all(owed(ws) == 0 for ws in spaces), timeout=20)


def setup_coalition(ws: Workspace, meeting: date) -> None:
    mark = len(ws.slack.calls)
    assert ws.command(ADMIN, "setup NE").body == ""
    view = ws.slack.wait_for("views.open", count=1 + sum(c.method == "views.open" for c in ws.slack.calls[:mark]))
    filled = {"state": "NE", "meeting_date": meeting.isoformat(), "channel": CHANNEL, "leads": [LEAD],
              "lead_agencies": "Nebraska AG", "offsets": "1, 3, 6"}
    assert ws.send(payloads.view_submission(ADMIN, view[-1].params["view"], filled)).status == 200


def test_two_workspaces_side_by_side_never_see_each_others_people(workspaces):
    a, b = workspaces
    for ws in (a, b):   # the same people, by id, register in both; all but the advocate are approved
        for user in (SHERIFF, MANAGER, DRIVER, ADVOCATE):
            register(ws, user)
        for user in (SHERIFF, MANAGER, DRIVER):
            approve(ws, user)
    settled(a, b)
    assert a.person(SHERIFF).id != b.person(SHERIFF).id

    # Contacts: each workspace's truck stop manager sees its own sheriff only.
    for ws, other in ((a, b), (b, a)):
        shown = reply(ws, MANAGER, "contact Douglas, NE")
        assert PEOPLE[ws.team][SHERIFF]["name"] in shown and PEOPLE[ws.team][SHERIFF]["phone"] in shown
        assert PEOPLE[other.team][SHERIFF]["name"] not in shown
        # A site's name is looked up in its own workspace only.
        assert "Douglas County" in reply(ws, MANAGER, f"contact {PEOPLE[ws.team][MANAGER]['site_name']}")
        assert "I could not find a place called" in reply(ws, MANAGER,
                                                          f"contact {PEOPLE[other.team][MANAGER]['site_name']}")

    # Introductions: each site meets its own workspace's sheriff, in its own workspace.
    for ws in (a, b):
        groups = [c for c in ws.slack.calls_to("chat.postMessage") if c.params["channel"].startswith("G")
                  or "introduc" in (c.params.get("text") or "").lower()]
        assert groups and all(PEOPLE[ws.team][SHERIFF]["name"] in json.dumps(c.params) for c in groups)

    # Pending: each admin lists their own workspace's advocate, and Home keeps the same list.
    for ws, other in ((a, b), (b, a)):
        listed = reply(ws, ADMIN, "pending")
        assert PEOPLE[ws.team][ADVOCATE]["name"] in listed and PEOPLE[other.team][ADVOCATE]["name"] not in listed

    # A button carrying the other workspace's registration id decides nothing there.
    theirs = a.person(ADVOCATE)
    answer = press_approve(b, ADMIN, theirs.id, theirs.revision)
    assert answer.status == 200
    assert a.person(ADVOCATE).status == "pending" and b.person(ADVOCATE).status == "pending"
    assert "That registration no longer exists" in b.slack.calls_to("response_url")[-1].params["text"]

    # Trainings and progress: each counts its own.
    assert a.command(MANAGER, "trained 12").status == 200
    assert b.command(MANAGER, "trained 30").status == 200
    for ws, mine, theirs_count in ((a, "12", "30"), (b, "30", "12")):
        shown = reply(ws, ADMIN, "progress NE")
        assert f"People trained:* {mine}" in shown and f"People trained:* {theirs_count}" not in shown

    # Exports: each admin's CSV holds their own workspace's people only.
    for ws, other in ((a, b), (b, a)):
        assert ws.command(ADMIN, "export ne").status == 200
        ws.bot.later.wait_idle()
        ws.slack.wait_for("files.completeUploadExternal")
        (shared,) = [f for f in ws.slack.uploaded(channel="D" + ADMIN[1:]) if f["name"] == "tat-export-NE.csv"]
        csv = shared["content"].decode()
        assert all(PEOPLE[ws.team][user]["email"] in csv for user in (SHERIFF, MANAGER, DRIVER, ADVOCATE))
        assert not any(secret in csv for secret in secrets_of(other.team))

    # Follow-ups: each workspace's coalition posts in its own channel and checks in its own people.
    meeting = today()
    for ws in (a, b):
        setup_coalition(ws, meeting)
    settled(a, b)
    due = followup_at(meeting, 1, "America/Chicago") + timedelta(minutes=1)
    for ws in (a, b):
        ws.clock.advance(seconds=(due - ws.clock()).total_seconds())
    for ws in (a, b):
        schedules.dispatch(ws.bot.services, ws.bot.sender)
    settled(a, b)
    for ws in (a, b):
        (nudge,) = ws.slack.calls_to("chat.postMessage", channel=CHANNEL)
        assert "Law enforcement: 1" in json.dumps(nudge.params["blocks"])
        checkins = [c for c in ws.slack.calls_to("chat.postMessage", channel=DRIVER)
                    if "check-in" in (c.params.get("text") or "").lower() or "TAT training" in c.params["text"]]
        assert len(checkins) == 1, [c.params["text"] for c in ws.slack.calls_to("chat.postMessage", channel=DRIVER)]
        message = {**checkins[0].params, "ts": checkins[0].response["ts"]}
        button = next(e for blk in message["blocks"] if blk["type"] == "actions" for e in blk["elements"]
                      if e["action_id"] == "checkin_need")
        ws.send(payloads.block_action(DRIVER, button, message, checkins[0].response["channel"],
                                      ws.slack.response_url(DRIVER)))
        ws.bot.later.wait_idle()
    for ws in (a, b):
        listed = reply(ws, ADMIN, "followups NE")
        assert "check-ins answered 1 of 3" in listed   # its own three approved people, and its driver's answer

    # The language note: each poster hears it in their own workspace, once.
    for ws in (a, b):
        assert ws.send(payloads.event_callback(message_event(DRIVER, channel=CHANNEL)), json_body=True).status == 200
        ws.bot.later.wait_idle()
        notes = ws.slack.calls_to("chat.postEphemeral")
        assert len(notes) == 1 and notes[0].params["user"] == DRIVER

    # Home: each manager's Home tab shows their own workspace's sheriff.
    for ws, other in ((a, b), (b, a)):
        mark = len(ws.slack.calls)
        ws.send(payloads.event_callback({"type": "app_home_opened", "user": MANAGER, "channel": "D0HOME0001",
                                         "tab": "home", "event_ts": "1700000000.000300"}), json_body=True)
        ws.bot.later.wait_idle()
        (home,) = [c for c in ws.slack.since(mark) if c.method == "views.publish"]
        shown = json.dumps(home.params["view"])
        assert PEOPLE[ws.team][SHERIFF]["name"] in shown and PEOPLE[other.team][SHERIFF]["name"] not in shown

    settled(a, b)
    # Over everything: no call a bot made, with its own token, and no answer it gave carries anything
    # of the other workspace's people.
    for ws, other, token in ((a, b, "xoxb-test-token"), (b, a, "xoxb-second-token")):
        assert ws.slack.calls and all(c.token in (token, None) for c in ws.slack.calls)   # response_url: none
        said = json.dumps([c.params for c in ws.slack.calls]) + json.dumps(
            [f.get("content", b"").decode(errors="replace") for f in ws.slack.files.values()]) + "".join(ws.answers)
        leaked = sorted(s for s in secrets_of(other.team) if s in said)
        assert not leaked, f"workspace {ws.team} was shown {leaked}"
        assert all(s in said for s in (PEOPLE[ws.team][SHERIFF]["name"], PEOPLE[ws.team][MANAGER]["name"]))
