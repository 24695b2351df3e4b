"""Every list the bot shows stays within Slack's limits for all 50 states and DC and for a coalition
of thousands: the strict stand-in holds each answer to Slack's rules (a test fails on any breach),
and these tests read every page through its More button."""
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from domain import places
from domain.coalitions import Setup, save
from domain.sectors import Sector
from handlers import followup_blocks, registration_blocks
from localslack import payloads, strict
from storage.db import engine_for
from storage.models import ContactConfirmation, Coverage, HotlineFigure, Milestone, OutboxMessage, Stakeholder
from tests.conftest import ADMIN, TEAM_ID
from tests.test_registration import TRUCK_STOP, app_home_opened, submit

NOW = datetime.now(UTC)
DOUGLAS = "31055"


def members(database_url: str, count: int, status: str = "approved", sector: str = "law_enforcement",
            county: str = DOUGLAS, prefix: str = "UM") -> list[str]:
    """`count` registrations in Douglas County, NE, written straight to the database (fast)."""
    users = [f"{prefix}{n:07d}" for n in range(count)]
    rows = [{"team_id": TEAM_ID, "slack_user_id": u, "name": f"Member {n:04d} " + "Longname" * 10, "sector": sector,
             "organization": f"Agency {n:04d} of the County Sheriff's Office and Its Many Divisions",
             "title": "Sergeant", "phone": f"402-555-{n % 10000:04d}", "email": f"m{n}@agency.example",
             "state": "NE", "county_fips": county, "statewide": False, "status": status, "revision": 1,
             "created_at": NOW + timedelta(seconds=n), "updated_at": NOW} for n, u in enumerate(users)]
    engine = engine_for(database_url)
    with engine.begin() as connection:
        connection.execute(insert(Stakeholder), rows)
        if sector == "law_enforcement":
            ids = connection.execute(Stakeholder.__table__.select().with_only_columns(Stakeholder.id)
                                     .where(Stakeholder.slack_user_id.in_(users))).scalars().all()
            connection.execute(insert(Coverage), [{"team_id": TEAM_ID, "stakeholder_id": i, "county_fips": county}
                                                  for i in ids])
    engine.dispose()
    return users


def pages(running, user: str, command: str) -> list[dict]:
    """The answer to `/tat <command>`, then each page its More button brings (in place of the last)."""
    shown = [json.loads(running.command(user, command).body)]
    while more := [e for b in shown[-1].get("blocks", []) if b["type"] == "actions" for e in b["elements"]
                   if e["text"]["text"].startswith("More")]:
        assert len(shown) < 400, "the More buttons never end"
        message = {"ts": "1700000000.000001", **shown[-1]}
        mark = len(running.slack.calls)
        running.send(payloads.block_action(user, more[0], message, "C0GENERAL1", running.slack.response_url(user),
                                           ephemeral=True))
        running.bot.later.wait_idle()
        (answer,) = [c for c in running.slack.since(mark) if c.method == "response_url"]
        assert answer.params["replace_original"] is True
        shown.append(answer.params)
    return shown


def every_state_has_a_coalition(running) -> None:
    """A coalition in each of the 50 states and DC, each with 40 leads and six follow-ups."""
    with running.bot.services.sessions.begin() as session:
        for state in places.all_states():
            save(session, "T0COALITION", Setup(state.abbr, date(2026, 3, 2), "C0" + state.abbr + "CHANNEL",
                                               "America/Chicago", tuple(f"U0LEAD{n:04d}" for n in range(40)),
                                               "Office of the Attorney General; " * 15, (1, 3, 6, 9, 12, 24)),
                 ADMIN, NOW)


def test_the_follow_ups_of_every_state_and_dc_come_a_page_at_a_time(running):
    every_state_has_a_coalition(running)
    shown = pages(running, ADMIN, "followups")
    assert len(shown) > 1
    listed = "\n".join(page["text"] for page in shown)
    assert all(f"{state.abbr} • 1-month follow-up" in listed for state in places.all_states())
    assert "page 2 of" in shown[1]["text"]


def test_thousands_waiting_for_approval_come_a_page_at_a_time(running):
    waiting = members(running.database_url, 3000, status="pending", sector="truck_stop")
    first = json.loads(running.command(ADMIN, "pending").body)
    assert first["text"].startswith("3000 registration(s) waiting")
    second = pages(running, ADMIN, "pending")[:2][-1]   # the More button brings the next page
    assert waiting[15] in json.dumps(second["blocks"]) and waiting[14] not in json.dumps(second["blocks"])
    last = json.loads(running.command(ADMIN, "pending page 200").body)
    assert waiting[-1] in json.dumps(last["blocks"]) and not any(b["type"] == "actions" and "More" in json.dumps(b)
                                                                 for b in last["blocks"])


def test_the_first_page_of_pending_also_names_every_states_unconfirmed_contacts_within_50_blocks(running):
    every_state_has_a_coalition(running)
    members(running.database_url, 100, status="pending", sector="truck_stop", prefix="UP")
    year_ago = NOW - timedelta(days=400)
    engine = engine_for(running.database_url)
    with engine.begin() as connection:
        connection.execute(insert(Stakeholder), [
            {"team_id": TEAM_ID, "slack_user_id": f"UC{state.abbr}{n:04d}", "name": f"Officer {n} of {state.name}",
             "title": "Sergeant",
             "sector": "law_enforcement", "organization": f"{state.name} State Patrol", "phone": "402-555-0100",
             "email": f"o{n}@{state.abbr.lower()}.example", "state": state.abbr, "statewide": True,
             "status": "approved", "revision": 1, "created_at": year_ago, "updated_at": year_ago}
            for state in places.all_states() for n in range(30)])
        asked = connection.execute(Stakeholder.__table__.select().with_only_columns(Stakeholder.id)
                                   .where(Stakeholder.slack_user_id.like("UC%"))).scalars().all()
        connection.execute(insert(ContactConfirmation), [
            {"team_id": "T0COALITION", "stakeholder_id": i, "asked_at": NOW - timedelta(days=40), "round": 1,
             "told_round": 1} for i in asked])
    engine.dispose()
    first = json.loads(running.command(ADMIN, "pending").body)
    assert "100 registration(s) waiting" in first["text"] and "Officer 0 of Alaska" in first["text"]
    assert "WY" in first["blocks"][-1]["elements"][0]["text"] and len(first["blocks"]) == 50


def test_two_hundred_dead_letters_come_a_page_at_a_time(running):
    engine = engine_for(running.database_url)
    with engine.begin() as connection:
        connection.execute(insert(OutboxMessage), [
            {"team_id": TEAM_ID, "key": f"dead:{n}", "channel": f"U0DEAD{n:04d}", "kind": "checkin", "params": {},
             "text": None,
             "created_at": NOW, "not_before": NOW, "due_at": NOW, "attempts": 3,
             "dead_at": NOW - timedelta(minutes=n), "last_error": "account_inactive " * 11} for n in range(200)])
    engine.dispose()
    shown = pages(running, ADMIN, "outbox")
    retries = [e for page in shown for b in page["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == "retry_dead_letter"]
    assert len(retries) == 200 and len({r["value"] for r in retries}) == 200


def test_a_county_with_three_thousand_officers_shows_them_a_page_at_a_time(running):
    members(running.database_url, 3000)
    first, second = pages(running, ADMIN, "contact Douglas County, NE")[:2]
    assert "Member 0000" in first["text"] or "Member 0000" in json.dumps(first["blocks"])
    assert "page 2" in json.dumps(second["blocks"])


def test_an_admins_home_with_thousands_waiting_and_thousands_of_local_contacts(running):
    members(running.database_url, 3000)
    members(running.database_url, 3000, status="pending", sector="truck_stop", prefix="UP")
    submit(running, ADMIN, TRUCK_STOP)     # an admin's own registration is approved at once: Douglas County
    running.bot.later.wait_idle()
    mark = len(running.slack.calls)
    running.send(payloads.event_callback(app_home_opened(ADMIN)), json_body=True)
    running.bot.later.wait_idle()
    (published,) = [c for c in running.slack.since(mark) if c.method == "views.publish"]
    shown = json.dumps(published.params["view"])
    assert "3000 registration(s) waiting" in shown and "pending page 2" in shown
    assert "shows all 3,000 contacts" in shown or "shows all 3000 contacts" in shown


def test_a_sheriff_covering_a_hundred_texas_counties_is_shown_within_slacks_limits(running):
    counties = ", ".join(c.name for c in places.counties_of("TX")[:100])   # the most a jurisdiction may name
    form = {"name": "Tess Texas", "sector": "law_enforcement", "organization": "Texas Department of Public Safety",
            "title": "Captain", "phone": "512-555-0100", "email": "tess@dps.example", "state": "TX",
            "place": counties}
    assert submit(running, "U0TEXAS001", form).status == 200
    running.bot.later.wait_idle()
    running.bot.sender.send_due()
    listed = json.loads(running.command(ADMIN, "pending").body)
    assert "Tess Texas" in json.dumps(listed["blocks"]) and "and 88 more (TX)" in json.dumps(listed["blocks"])


def test_progress_with_years_of_hotline_figures_and_every_milestone(running):
    from domain.progress import MILESTONES

    engine = engine_for(running.database_url)
    with engine.begin() as connection:
        connection.execute(insert(HotlineFigure), [
            {"team_id": "T0COALITION", "state": "NE", "period": f"{2010 + n // 12}-{n % 12 + 1:02d}", "count": 1000 + n,
             "source": "National Human Trafficking Hotline state report", "recorded_by": ADMIN,
             "recorded_at": NOW} for n in range(180)])
        connection.execute(insert(Milestone), [
            {"team_id": "T0COALITION", "state": "NE", "kind": kind, "reached_on": date(2020 + n % 6, 1, 1 + n % 28),
             "note": "n" * 300, "recorded_by": ADMIN, "created_at": NOW}
            for n, kind in enumerate(list(MILESTONES) * 5)])
    engine.dispose()
    answer = json.loads(running.command(ADMIN, "progress NE").body)
    assert "Hotline figures" in answer["text"]


@pytest.mark.parametrize("state", [s.abbr for s in places.all_states()])
def test_every_states_forms_are_within_slacks_limits(state):
    forms = [registration_blocks.form_view({"state": state, "sector": sector.value}, editing=False)
             for sector in Sector]
    forms.append(followup_blocks.setup_form([(s.abbr, s.name) for s in places.all_states()], {"state": state}))
    assert [str(b) for form in forms for b in strict.check_view(form)] == []
