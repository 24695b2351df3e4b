"""`/tat contact`, end to end: signed slash commands and buttons through the real HTTP server."""
import json
import re
import threading
import time

import pytest
from sqlalchemy import event, insert, text, update

from domain.contacts import Remembered, remembered
from handlers import blocks
from localslack import payloads
from storage import directory_watch, roster
from storage.db import engine_for, session_factory
from storage.models import Coverage, Stakeholder
from tests.conftest import ADMIN, TEAM_ID
from tests.test_registration import MANAGER, SHERIFF, SHERIFF_FORM, TRUCK_STOP, stakeholder, submit, wait_until

TROOPER = "U0TROOPER1"
ADVOCATE = "U0ADVOCATE"
LINCOLN_SHERIFF = "U0LINCOLN1"
LINCOLN_ADVOCATE = "U0LNCADVOC"
STRANGER = "U0STRANGER"

TROOPER_FORM = {
    "name": "Terry Trooper", "sector": "law_enforcement", "organization": "Nebraska State Patrol",
    "title": "Captain", "phone": "402-471-4545", "email": "terry@nsp.example", "state": "NE", "place": "statewide",
}
ADVOCATE_FORM = {
    "name": "Avery Advocate", "sector": "victim_services", "organization": "Heartland Survivor Services",
    "title": "Director", "phone": "402-555-0177", "email": "avery@heartland.example", "state": "NE",
    "place": "Omaha, NE",
}
LINCOLN_SHERIFF_FORM = {
    "name": "Lee Lancaster", "sector": "law_enforcement", "organization": "Lancaster County Sheriff's Office",
    "title": "Deputy", "phone": "402-441-6500", "email": "lee@lancaster.example", "state": "NE",
    "place": "Lancaster",
}
LINCOLN_ADVOCATE_FORM = {**ADVOCATE_FORM, "name": "Robin Refuge", "organization": "Lincoln Refuge",
                         "phone": "402-555-0188", "email": "robin@refuge.example", "place": "68508"}


def approve(running, user: str) -> None:
    """An admin presses Approve on the person's registration (as in `/tat pending`)."""
    who = stakeholder(running, user)
    button = {"type": "button", "action_id": "approve_registration", "value": f"{who.id}:{who.revision}",
              "text": {"type": "plain_text", "text": "Approve"}}
    message = {"ts": "1700000000.000001", "text": "pending", "blocks": []}
    body = payloads.block_action(ADMIN, button, message, "C0GENERAL1", running.slack.response_url(ADMIN),
                                 ephemeral=True)
    assert running.send(body).status == 200
    wait_until(lambda: stakeholder(running, user).status == "approved")
    running.bot.later.wait_idle()   # the admin's message is updated after the acknowledgement


def registered(running, *people: tuple[str, dict], approved: bool = True) -> None:
    for user, form in people:
        submit(running, user, form)
        if approved:
            approve(running, user)


@pytest.fixture
def coalition(running):
    """Nebraska: Douglas County's sheriff, the State Patrol, two advocates, Lancaster's sheriff, and
    a truck stop in Omaha (Douglas County); all approved."""
    registered(running, (SHERIFF, SHERIFF_FORM), (TROOPER, TROOPER_FORM), (ADVOCATE, ADVOCATE_FORM),
               (LINCOLN_SHERIFF, LINCOLN_SHERIFF_FORM), (LINCOLN_ADVOCATE, LINCOLN_ADVOCATE_FORM),
               (MANAGER, TRUCK_STOP))
    return running


def reply_of(running, user: str, text: str, channel: str = "C0GENERAL1") -> dict:
    response = running.command(user, text, channel)
    assert response.status == 200
    return json.loads(response.body)


def shown(reply: dict) -> str:
    return json.dumps(reply.get("blocks", [])) + reply["text"]


def test_a_truck_stop_manager_sees_the_county_sheriff_then_statewide_then_victim_services_then_the_hotline(
        coalition):
    reply = reply_of(coalition, MANAGER, "contact")
    text = shown(reply)
    order = [text.index(s) for s in ("Dana Deputy", "Terry Trooper", "Avery Advocate", "Robin Refuge",
                                     "1-888-373-7888")]
    assert order == sorted(order) and text.index("If someone is in immediate danger, call 911") > order[-2]
    assert "Lee Lancaster" not in text   # another county's sheriff
    assert "<tel:+14024446000|(402) 444-6000>" in text and "dana@sheriff.example" in text
    assert "<@U0SHERIFF1>" in text and "Sergeant" in text and "Douglas County Sheriff" in text
    assert "Douglas County, NE" in text
    assert reply.get("response_type", "ephemeral") == "ephemeral"


@pytest.mark.parametrize("place", ["Douglas County, NE", "douglas county nebraska", "Douglas, NE", "Omaha, NE",
                                   "68102", "Dougals County, Nebraska", "omaha ne"])
def test_every_form_of_a_place_finds_the_county_sheriff(coalition, place):
    text = shown(reply_of(coalition, ADVOCATE, f"contact {place}"))
    assert "Contacts for Douglas County, NE" in text and "Dana Deputy" in text
    assert text.index("Dana Deputy") < text.index("Terry Trooper")


def test_a_zip_of_another_county_shows_that_countys_sheriff_and_its_advocate_first(coalition):
    text = shown(reply_of(coalition, MANAGER, "contact 68508"))
    assert "Lee Lancaster" in text and "Dana Deputy" not in text
    assert text.index("Lee Lancaster") < text.index("Terry Trooper") < text.index("Robin Refuge") \
        < text.index("Avery Advocate")


def test_a_state_shows_its_statewide_contacts_then_each_countys_county_by_county(coalition):
    reply = reply_of(coalition, MANAGER, "contact Nebraska")
    text = shown(reply)
    assert "No approved" not in text
    order = [text.index(s) for s in ("Statewide law enforcement (Nebraska)", "Terry Trooper",
                                     "Law enforcement covering Douglas County, NE", "Dana Deputy",
                                     "Law enforcement covering Lancaster County, NE", "Lee Lancaster",
                                     "Law enforcement covering Sarpy County, NE",
                                     "Victim service providers (Nebraska)", "Avery Advocate")]
    assert order == sorted(order)
    sarpy = text.index("Law enforcement covering Sarpy County, NE")
    assert "Dana Deputy" in text[sarpy:text.index("Victim service providers")]   # she covers Sarpy too
    assert "Contacts for Nebraska (6 in all)" in reply["text"]


def test_a_whole_states_long_list_is_paged_within_slacks_limits_county_by_county(coalition):
    for n, county in enumerate(("31055", "31109", "31153", "31001")):
        seed_officers(coalition, 15, county, first=n * 15)
    seen, headings, page, pages = [], [], "contact Nebraska", 0
    while page:
        reply = reply_of(coalition, MANAGER, page)   # the stand-in refuses a message past Slack's limits
        pages += 1
        assert len(reply["blocks"]) <= 50
        seen += re.findall(r"Officer \d{3}", json.dumps(reply["blocks"]))
        headings += [e["text"] for b in reply["blocks"] if b["type"] == "context" for e in b["elements"]
                     if "Law enforcement covering" in e["text"]]
        more = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
        page = more[0]["value"] if more else None
    assert sorted(seen) == sorted(f"Officer {i:03d}" for i in range(60))
    assert pages == 6   # 60 seeded, the trooper, Dana twice, Lee and two advocates: 66, 12 a page
    counties = list(dict.fromkeys(h.strip("*").removeprefix("Law enforcement covering ") for h in headings))
    assert counties == ["Adams County, NE", "Douglas County, NE", "Lancaster County, NE", "Sarpy County, NE"]


def buttons_of(reply: dict) -> list[dict]:
    return [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_a_city_named_exactly_wins_and_the_county_of_its_name_is_a_second_button(coalition):
    reply = reply_of(coalition, MANAGER, "contact Lincoln, NE")
    text = shown(reply)
    assert "Contacts for Lancaster County, NE" in text and "Lee Lancaster" in text and "could be" not in text
    assert "Lincoln, NE is in Lancaster County. Or did you mean:" in reply["blocks"][1]["text"]["text"]
    assert [(b["text"]["text"], b["value"]) for b in buttons_of(reply)] == [
        ("Lincoln County, NE", "contact Lincoln County, NE")]
    county = reply_of(coalition, MANAGER, "contact Lincoln County, NE")   # what the button runs
    assert "Contacts for Lincoln County, NE" in shown(county) and "Or did you mean" not in shown(county)


def test_a_close_name_is_taken_for_a_place_and_the_reply_says_so(coalition):
    reply = reply_of(coalition, MANAGER, "contact Omahaa, NE")
    assert "I took “Omahaa” to be Omaha, NE (Douglas County)." in reply["text"]
    assert "I took “Omahaa” to be Omaha, NE (Douglas County)." in reply["blocks"][1]["text"]["text"]
    assert "Dana Deputy" in shown(reply)
    plain = reply_of(coalition, MANAGER, "contact Douglas County, NE")   # the same page, read plainly: no note
    assert "Dana Deputy" in shown(plain) and "I took" not in shown(plain) and "is in Douglas" not in shown(plain)
    reply = reply_of(coalition, MANAGER, "contact Lincon, NE")
    assert "I took “Lincon” to be Lincoln, NE (Lancaster County). Or did you mean:" in reply["text"]
    assert [b["value"] for b in buttons_of(reply)] == ["contact Lincoln County, NE"]


def test_an_ambiguous_place_offers_its_candidates_as_buttons_that_run_the_lookup(coalition):
    reply = reply_of(coalition, MANAGER, "contact Douglas")
    buttons = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {"contact Douglas County, NE", "contact Douglas County, OR"} <= {b["value"] for b in buttons}
    assert all(blocks.RUN_COMMANDS.match(b["action_id"]) for b in buttons)
    assert len({b["action_id"] for b in buttons}) == len(buttons)    # each its own: Slack refuses a repeat
    nebraska = next(b for b in buttons if b["value"] == "contact Douglas County, NE")
    message = {"ts": "1700000000.000002", "blocks": reply["blocks"], "text": reply["text"]}
    body = payloads.block_action(MANAGER, nebraska, message, "C0GENERAL1", coalition.slack.response_url(MANAGER),
                                 ephemeral=True)
    mark = len(coalition.slack.calls)
    assert coalition.send(body).status == 200
    coalition.bot.later.wait_idle()
    (answer,) = [c for c in coalition.slack.since(mark) if c.method == "response_url"]
    assert answer.params["replace_original"] is True and "Dana Deputy" in json.dumps(answer.params)


@pytest.mark.parametrize("action_id, runs", [("run_command:0", True), ("run_command:9", True),
                                             ("run_command", True),   # a button posted before ids were numbered
                                             ("run_commands", False), ("x_run_command:1", False)])
def test_one_listener_runs_every_command_button(action_id, runs):
    assert bool(blocks.RUN_COMMANDS.search(action_id)) is runs   # Bolt matches a pattern with search()


def test_an_unknown_place_says_so_with_the_forms_it_accepts(coalition):
    text = reply_of(coalition, MANAGER, "contact Atlantis Under The Sea")["text"]
    assert 'could not find a place called "Atlantis Under The Sea"' in text
    assert "68102" in text and "Douglas County, NE" in text and "Dana" not in text


@pytest.mark.parametrize("approved", [False, True])
def test_pending_and_unregistered_people_get_the_hotline_and_how_to_register_but_no_contacts(running, approved):
    registered(running, (SHERIFF, SHERIFF_FORM))
    registered(running, (MANAGER, TRUCK_STOP), approved=False)
    for user, words in ((MANAGER, "waiting for a coalition admin"), (STRANGER, "/tat register")):
        reply = reply_of(running, user, "contact Douglas County, NE")
        text = shown(reply)
        assert "1-888-373-7888" in text and "call 911" in text and words in text
        assert "Dana" not in text and "444-6000" not in text and "sheriff.example" not in text


def test_replies_are_private_whatever_channel_the_command_is_typed_in(coalition):
    mark = len(coalition.slack.calls)
    for channel in ("C0COALITION", "G0PRIVATE1", "D0MANAGER1"):
        reply = reply_of(coalition, MANAGER, "contact", channel)
        assert reply.get("response_type", "ephemeral") == "ephemeral" and "Dana Deputy" in reply["text"] + \
            json.dumps(reply["blocks"])
    coalition.bot.later.wait_idle()
    assert [c for c in coalition.slack.since(mark) if c.method == "chat.postMessage"
            and c.params["channel"].startswith("C")] == []


def seed_officers(running, count: int, county: str = "31055", first: int = 0) -> None:
    """Many approved officers covering one county, written straight to the database."""
    with running.bot.services.sessions.begin() as session:
        for i in range(first, first + count):
            session.add(Stakeholder(
                team_id=TEAM_ID, slack_user_id=f"U0SEED{i:04d}", name=f"Officer {i:03d}", sector="law_enforcement",
                organization="Omaha Police Department " + "Precinct " * 15, title="Officer " * 14,
                phone=f"(402) 555-{1000 + i:04d}", email=f"officer{i}@opd.example", state="NE",
                status="approved", coverage=[Coverage(team_id=TEAM_ID, county_fips=county)]))


def test_a_long_list_stays_within_slacks_limits_and_offers_more(coalition):
    seed_officers(coalition, 40)
    seen, page, pages = set(), "contact", 0
    while page:
        reply = reply_of(coalition, MANAGER, page)
        pages += 1
        assert len(reply["blocks"]) <= 50
        texts = [b["text"]["text"] for b in reply["blocks"] if "text" in b] + \
            [e["text"] for b in reply["blocks"] if b["type"] == "context" for e in b["elements"]]
        assert all(len(t) <= 3000 for t in texts)
        assert "call 911" in json.dumps(reply["blocks"])
        seen |= set(re.findall(r"Officer \d{3}", json.dumps(reply["blocks"])))
        more = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
        page = more[0]["value"] if more else None
    assert len(seen) == 40 and pages == 4


def test_without_a_place_an_officer_sees_the_contacts_of_their_first_county(coalition):
    text = shown(reply_of(coalition, SHERIFF, "contact"))
    assert "Contacts for Douglas County, NE" in text


def test_a_site_name_finds_its_county(coalition):
    text = shown(reply_of(coalition, ADVOCATE, "contact big rig plaza"))
    assert "Contacts for Douglas County, NE" in text and "Dana Deputy" in text


@pytest.mark.parametrize("typed", ["Big Rig Plaza — Öl & Diesel", "big rig plaza — öl & diesel",
                                   "BIG RIG PLAZA — ÖL & DIESEL", "big  rig plaza — Öl & diesel "])
def test_a_site_name_in_any_alphabet_and_any_case_finds_its_county(coalition, typed):
    submit(coalition, MANAGER, {**TRUCK_STOP, "site_name": "Big Rig Plaza — Öl & Diesel", "place": "68508"})
    approve(coalition, MANAGER)   # a changed site sends the registration back for approval
    text = shown(reply_of(coalition, ADVOCATE, f"contact {typed}"))
    assert "Contacts for Lancaster County, NE" in text and "Lee Lancaster" in text


def test_an_imported_site_name_is_found_in_any_case(coalition):
    with coalition.bot.services.sessions.begin() as session:
        roster.add_stakeholders(session, TEAM_ID, [{
            "slack_user_id": "U0STRASSE1", "name": "Kim Kraft", "sector": "truck_stop", "organization": "Kraft",
            "phone": "(402) 555-0111", "email": "kim@kraft.example", "state": "NE", "county_fips": "31109",
            "site_name": "Straße Travel Plaza", "status": "approved", "statewide": False, "revision": 1}], {})
    text = shown(reply_of(coalition, ADVOCATE, "contact STRASSE TRAVEL PLAZA"))
    assert "Contacts for Lancaster County, NE" in text


def test_a_lookup_never_shows_what_was_remembered_from_before_a_change_by_anyone(coalition):
    assert "(402) 444-6000" in shown(reply_of(coalition, MANAGER, "contact"))   # read, and remembered

    submit(coalition, SHERIFF, {**SHERIFF_FORM, "phone": "(402) 444-7000"})     # an edit through the form
    wait_until(lambda: stakeholder(coalition, SHERIFF).phone == "(402) 444-7000")
    text = shown(reply_of(coalition, MANAGER, "contact"))
    assert "(402) 444-7000" in text and "444-6000" not in text

    # Another process: its own engine and sessions, an UPDATE statement and a bulk insert.
    other = session_factory(engine_for(coalition.database_url))
    with other.begin() as session:
        session.execute(update(Stakeholder).where(Stakeholder.slack_user_id == SHERIFF).values(status="declined"))
    shows_soon(coalition, lambda text: "Dana Deputy" not in text and "Terry Trooper" in text)
    with other.begin() as session:
        session.execute(insert(Stakeholder), [{
            "team_id": TEAM_ID, "slack_user_id": "U0NEWCOP01", "name": "Nico Newcop", "sector": "law_enforcement",
            "organization": "Omaha Police Department", "phone": "(402) 444-5000", "email": "nico@opd.example",
            "state": "NE", "statewide": True, "status": "approved", "revision": 1}])
    shows_soon(coalition, lambda text: "Nico Newcop" in text)
    other.kw["bind"].dispose()


def shows_soon(running, check) -> None:
    """The manager's next lookup shows another process's change: at once on SQLite (each lookup
    reads the directory's revision), on PostgreSQL once its notification arrives (moments)."""
    if directory_watch.watch_of(running.bot.engine) is None:
        assert check(shown(reply_of(running, MANAGER, "contact")))
    else:
        wait_until(lambda: check(shown(reply_of(running, MANAGER, "contact"))), timeout=5)


def statements_of(running, send) -> list[str]:
    """The SQL statements the bot ran to answer `send()` (in the threads that answer Slack)."""
    ran: list[str] = []

    def record(conn, cursor, statement, *_):
        if threading.current_thread().name.startswith("waitress"):
            ran.append(statement)

    event.listen(running.bot.engine, "before_cursor_execute", record)
    try:
        send()
    finally:
        event.remove(running.bot.engine, "before_cursor_execute", record)
    return ran


def test_a_remembered_lookup_asks_the_database_one_statement_and_on_postgresql_none(coalition):
    watch = directory_watch.watch_of(coalition.bot.engine)
    if watch is not None:
        wait_until(lambda: watch.token() is not None)    # listening: PostgreSQL
    reply_of(coalition, MANAGER, "contact")                # read, and remembered
    ran = statements_of(coalition, lambda: reply_of(coalition, MANAGER, "contact"))
    assert ran == ([] if watch else [ran[0]]) and (watch or "directory_revision" in ran[0])
    assert "Dana Deputy" in shown(reply_of(coalition, MANAGER, "contact"))


def test_only_news_of_its_own_directory_makes_the_bot_forget_what_it_remembered(coalition):
    watch = directory_watch.watch_of(coalition.bot.engine)
    if watch is None:
        return   # SQLite: each lookup reads the revision
    wait_until(lambda: watch.token() is not None)
    reply_of(coalition, MANAGER, "contact")
    with coalition.bot.engine.begin() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar()
        before = watch.token()
        # Another deployment (or test run) in another schema of the database changes its directory;
        # another process starts listening and probes; then the echo of a change this process sent
        # itself: none of these is news. Last, another process changes this directory.
        for payload in ("tat_elsewhere 4242.1", "probe:4242:1:1", f"{schema} {watch.sender}", f"{schema} 4242.1"):
            connection.execute(text("SELECT pg_notify(:channel, :payload)"),
                               {"channel": directory_watch.CHANNEL, "payload": payload})
    wait_until(lambda: watch.token() != before)   # delivered in the order sent: the others were heard first
    assert watch.token() == before + 1
    ran = statements_of(coalition, lambda: reply_of(coalition, MANAGER, "contact"))
    assert ran and any("stakeholders" in statement for statement in ran)   # read again


def test_lookups_stay_right_while_the_bot_cannot_hear_the_directorys_changes(coalition):
    watch = directory_watch.watch_of(coalition.bot.engine)
    reply_of(coalition, MANAGER, "contact")
    if watch is not None:   # PostgreSQL: the connection that listens is cut
        wait_until(lambda: watch.token() is not None)
        with coalition.bot.engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE query = 'LISTEN tat_directory' AND datname = current_database()"))
        wait_until(lambda: watch.token() is None)
    other = session_factory(engine_for(coalition.database_url))
    with other.begin() as session:   # meanwhile another process declines the sheriff
        session.execute(update(Stakeholder).where(Stakeholder.slack_user_id == SHERIFF).values(status="declined"))
    other.kw["bind"].dispose()
    assert "Dana Deputy" not in shown(reply_of(coalition, MANAGER, "contact"))
    if watch is not None:   # it listens again, and what it remembers from before is not trusted
        wait_until(lambda: watch.token() is not None, timeout=10)
        assert "Dana Deputy" not in shown(reply_of(coalition, MANAGER, "contact"))


def test_what_a_lookup_remembers_lasts_a_minute_at_most(coalition):
    watch = directory_watch.watch_of(coalition.bot.engine)
    if watch is not None:   # PostgreSQL: once listening (its start moves what a lookup is remembered under)
        wait_until(lambda: watch.token() is not None)
    shown(reply_of(coalition, MANAGER, "contact"))
    with coalition.bot.services.sessions() as session:   # behind the bot's back: plain SQL
        session.connection().exec_driver_sql("UPDATE stakeholders SET name = 'Dana Renamed' WHERE name = 'Dana Deputy'")
        session.commit()
        remembered_pages = remembered(session)
    assert "Dana Deputy" in shown(reply_of(coalition, MANAGER, "contact"))
    later = time.monotonic() + Remembered.LIFETIME + 1
    remembered_pages._clock = lambda: later
    assert "Dana Renamed" in shown(reply_of(coalition, MANAGER, "contact"))


def test_notifications_are_trusted_only_on_a_connection_that_hears_its_own(database_url):
    engine = engine_for(database_url)
    try:
        if engine.dialect.name != "postgresql":
            assert directory_watch.start_watching(engine) is None   # SQLite: each lookup reads the revision
            return
        raw = engine.raw_connection()
        listening = raw.driver_connection
        listening.rollback()
        listening.autocommit = True
        listening.execute(f"LISTEN {directory_watch.CHANNEL}")
        assert directory_watch.DirectoryWatch(engine, probe_wait=5).hears(listening)
        # Notifications stay within their database: probes sent through another never arrive here,
        # as behind a pooler that gives each transaction another server connection.
        elsewhere = engine_for(engine.url.set(database="postgres").render_as_string(hide_password=False))
        assert not directory_watch.DirectoryWatch(elsewhere, probe_wait=0.5).hears(listening)
        elsewhere.dispose()
        raw.close()
    finally:
        engine.dispose()
