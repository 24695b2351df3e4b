"""/tat progress, /tat reported, /tat distribute, /tat hotline and /tat milestone, end to end; the chart
arrives in the caller's DM as a real PNG."""
import json
import struct
from datetime import date

import pytest

from domain import chart
from domain.progress import MILESTONES, MVE, Figures, parse_hotline, parse_reported
from domain.trainings import Usage
from handlers.progress import milestone_options
from localslack import payloads
from tests.conftest import ADMIN, count_rows
from tests.test_registration import MANAGER, SHERIFF, SHERIFF_FORM, TRUCK_STOP
from tests.test_trainings import CARRIER, CARRIER_FORM, approve, ephemeral

TODAY = date(2026, 11, 28)
ADMIN_FORM = {**SHERIFF_FORM, "name": "Alex Admin", "organization": "Nebraska Attorney General",
              "sector": "attorney_general", "place": "statewide", "email": "alex@ag.example"}


def png_size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height, read from its header; fails unless it is a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("typed, made_to, on", [
    ("", "hotline", TODAY), ("911", "911", TODAY), ("Police yesterday", "police", date(2026, 11, 27)),
    ("2026-11-01 HOTLINE", "hotline", date(2026, 11, 1)),
])
def test_reported_reads_where_and_when(typed, made_to, on):
    entry = parse_reported(typed, TODAY)
    assert (entry.made_to, entry.on) == (made_to, on)


@pytest.mark.parametrize("typed", ["a man at pump 4", "911 hotline", "police tomorrow", "2026-12-01"])
def test_reported_refuses_details_and_bad_dates(typed):
    with pytest.raises(Usage):
        parse_reported(typed, TODAY)


@pytest.mark.parametrize("typed, period, count", [("2026 118", "2026", 118), ("2026-10 14 state report", "2026-10", 14),
                                                   ("2019 0", "2019", 0)])
def test_hotline_figures_read_a_period_and_a_count(typed, period, count):
    entry = parse_hotline(typed, TODAY)
    assert (entry.period, entry.count) == (period, count)


@pytest.mark.parametrize("typed", ["2026", "2027 5", "2026-12 5", "2026-13 5", "26 5", "2026 many", "2026 -3",
                                   "2026 99999999"])
def test_bad_hotline_figures_are_refused(typed):
    with pytest.raises(Usage):
        parse_hotline(typed, TODAY)


def test_the_milestones_include_the_six_iowa_mve_elements():
    assert len(MVE) == 6 and all("Iowa MVE model" in MILESTONES[k] for k in MVE)
    assert {"investigation_assisted", "industry_on_task_force", "cdl_mandate"} <= set(MILESTONES)


def test_the_chart_is_a_png_of_the_stated_size_even_with_no_figures():
    empty = Figures("NE", {}, None, 0, {}, {}, 0, {}, [], [], None, None)
    full = Figures("NE", {}, 3, 70, {"TAT": 50, "LE": 20}, {"drivers": 70}, 2, {"hotline": 2},
                   [("2025", 118, "src"), ("2026-10", 14, "src")], [], None, date(2026, 3, 1),
                   {"TAT": {"2026-04": 30, "2026-09": 20}, "LE": {"2026-05": 20}}, {"2026-05": 2})
    assert png_size(chart.draw(empty)) == chart.size() == png_size(chart.draw(full))


def test_progress_answers_at_once_then_the_chart_arrives_in_the_dm(running):
    approve(running, MANAGER, TRUCK_STOP)
    approve(running, CARRIER, CARRIER_FORM)
    approve(running, SHERIFF, SHERIFF_FORM)
    ephemeral(running.command(MANAGER, "trained 12 2026-10-02"))
    ephemeral(running.command(CARRIER, "trained 40 yesterday"))
    ephemeral(running.command(SHERIFF, "trained 8"))
    ephemeral(running.command(MANAGER, "reported 911"))
    ephemeral(running.command(MANAGER, "distribute"))

    answer = ephemeral(running.command(CARRIER, "progress"))

    text = answer["text"]
    assert "Coalition progress: Nebraska" in text
    assert "Law enforcement: 1" in text and "Truck stop / travel plaza: 1" in text and "Trucking company: 1" in text
    assert "*People trained:* 60" in text and "TAT training: 52" in text
    assert "law enforcement training: 8" in text
    assert "drivers: 40" in text and "employees: 12" in text and "officers: 8" in text
    assert "*Distribution points* for TAT/BOTL materials: 1" in text and "to 911: 1" in text
    assert "*Introductions made:* 1" in text and "*Next follow-up:* none planned yet" in text
    running.bot.later.wait_idle()
    running.slack.wait_for("files.completeUploadExternal")
    (shared,) = running.slack.uploaded(channel="D" + CARRIER[1:])
    assert shared["name"] == "tat-progress-NE.png" and png_size(shared["content"]) == chart.size()
    assert len(shared["content"]) == shared["length"]


def test_progress_of_another_state_by_name_and_a_state_that_does_not_exist(running):
    approve(running, MANAGER, TRUCK_STOP)
    assert "Coalition progress: Iowa" in ephemeral(running.command(MANAGER, "progress iowa"))["text"]
    assert "not a US state" in ephemeral(running.command(MANAGER, "progress Narnia"))["text"]


def test_progress_is_for_approved_stakeholders(running):
    assert "/tat register" in ephemeral(running.command(MANAGER, "progress"))["text"]
    running.bot.later.wait_idle()
    assert running.slack.calls_to("files.getUploadURLExternal") == []


def test_reported_logs_a_count_and_says_no_details_are_kept(running, empty_database):
    approve(running, MANAGER, TRUCK_STOP)
    answer = ephemeral(running.command(MANAGER, "reported police yesterday"))
    assert "logged one report to the police" in answer["text"] and "never details" in answer["text"]
    refused = ephemeral(running.command(MANAGER, "reported white van at pump 4"))
    assert "never its details" in refused["text"] and "Nothing was stored" in refused["text"]
    assert count_rows(empty_database, "reports") == 1


def test_distribute_on_and_off_for_sites_only(running, empty_database):
    approve(running, MANAGER, TRUCK_STOP)
    approve(running, SHERIFF, SHERIFF_FORM)
    assert "is now a point of distribution" in ephemeral(running.command(MANAGER, "distribute on"))["text"]
    assert "was already" in ephemeral(running.command(MANAGER, "distribute ON"))["text"]
    assert "truck stops, terminals" in ephemeral(running.command(SHERIFF, "distribute"))["text"]
    assert count_rows(empty_database, "distribution_points") == 1
    assert "is no longer" in ephemeral(running.command(MANAGER, "distribute off"))["text"]
    assert count_rows(empty_database, "distribution_points") == 0


def test_hotline_gives_anyone_the_numbers_and_admins_record_figures(running, empty_database):
    assert "1-888-373-7888" in ephemeral(running.command(MANAGER, "hotline"))["text"]
    refused = ephemeral(running.command(MANAGER, "hotline 2026 118"))
    assert "Only coalition admins" in refused["text"] and "1-888-373-7888" in refused["text"]
    approve(running, ADMIN, ADMIN_FORM)
    recorded = ephemeral(running.command(ADMIN, "hotline 2026 118"))["text"]
    assert "Recorded the hotline figure for NE, 2026: *118*" in recorded
    assert "Replaced" in ephemeral(running.command(ADMIN, "hotline 2026 120 annual state report"))["text"]
    ephemeral(running.command(ADMIN, "hotline 2026-10 14"))
    assert count_rows(empty_database, "hotline_figures") == 2
    shown = ephemeral(running.command(ADMIN, "progress"))["text"]
    assert "2026: 120 (annual state report)" in shown and "2026-10: 14" in shown


def test_an_admin_records_a_milestone_in_the_form(running, empty_database):
    approve(running, ADMIN, ADMIN_FORM)
    assert running.command(ADMIN, "milestone").body == ""
    view = running.slack.wait_for("views.open")[0].params["view"]
    kinds = [o["value"] for b in view["blocks"] if b["block_id"] == "kind" for o in b["element"]["options"]]
    assert kinds == list(MILESTONES)
    future = running.send(payloads.view_submission(ADMIN, view, {"kind": "mve_executive_order", "on": "2999-01-01"}))
    assert "in the future" in json.loads(future.body)["errors"]["on"]
    ok = running.send(payloads.view_submission(ADMIN, view, {"kind": "mve_executive_order", "on": "2026-06-01",
                                                             "note": "EO 26-04"}))
    assert ok.status == 200
    said = json.loads(ok.body)   # the form says privately what was recorded, instead of closing mute
    assert said["response_action"] == "update"
    assert ("Recorded for Nebraska: *Iowa MVE model: governor's executive order* (A press conference, and an "
            "order directing agencies to take part), reached on 2026-06-01 — note: EO 26-04.") \
        in said["view"]["blocks"][0]["text"]["text"]
    assert count_rows(empty_database, "milestones") == 1
    shown = ephemeral(running.command(ADMIN, "progress"))["text"]
    assert "governor's executive order (2026-06-01)" in shown


def test_every_milestone_option_fits_slacks_75_characters_whole_with_its_detail_beneath():
    options = milestone_options()
    assert [o["text"]["text"] for o in options] == list(MILESTONES.values())   # none cut
    assert all(len(o["text"]["text"]) <= 75 and 0 < len(o["description"]["text"]) <= 75 for o in options)
    materials = next(o for o in options if o["value"] == "mve_materials")
    assert "CDL centres, ports of entry" in materials["description"]["text"]


def test_the_hotline_numbers_give_mexicos_number_as_dialled_since_2019(running):
    said = ephemeral(running.command(MANAGER, "hotline"))["text"]
    assert "Mexico: 800 5533 000" in said and "01800" not in said
    assert "1-888-373-7888" in said and "233733" in said and "Canada: 1-833-900-1010" in said


def test_milestone_is_for_admins_only(running):
    approve(running, MANAGER, TRUCK_STOP)
    assert "I don't know `milestone`" in ephemeral(running.command(MANAGER, "milestone"))["text"]


def test_an_admin_exports_the_coalition_as_a_csv_in_their_dm(running):
    approve(running, MANAGER, TRUCK_STOP)
    approve(running, ADMIN, ADMIN_FORM)
    ephemeral(running.command(MANAGER, "trained 12"))
    ephemeral(running.command(MANAGER, "reported"))

    assert running.command(ADMIN, "export ne").status == 200   # acknowledged first, built after

    (said,) = running.slack.wait_for("response_url")
    assert "the CSV arrives in your direct messages" in said.params["text"]
    assert said.params["response_type"] == "ephemeral"
    running.bot.later.wait_idle()
    running.slack.wait_for("files.completeUploadExternal")
    (shared,) = running.slack.uploaded(channel="D" + ADMIN[1:])
    lines = shared["content"].decode().splitlines()
    assert shared["name"] == "tat-export-NE.csv" and lines[0].startswith("record,name,email,sector")
    assert [line.split(",")[0] for line in lines[1:]] == ["stakeholder", "stakeholder", "training", "report"]


def test_export_is_for_admins_only(running):
    approve(running, MANAGER, TRUCK_STOP)
    assert "I don't know `export`" in ephemeral(running.command(MANAGER, "export"))["text"]
    running.bot.later.wait_idle()
    assert running.slack.calls_to("files.getUploadURLExternal") == []


def test_figures_are_summed_by_the_database_per_program_audience_and_month_in_this_team_and_state(running):
    """Trainings and reports over months, programs and audiences, beside rows of another state and another
    workspace that must not count: the sums the database groups are the figures and the chart's series."""
    from datetime import UTC
    from datetime import datetime as moment

    from domain.progress import figures
    from storage.models import Report, Training

    at = moment(2026, 11, 28, 12, tzinfo=UTC)

    def trained(team, state, people, audience, program, on):
        return Training(team_id=team, logged_by="U0LOGGER1", organization="Prairie Freight", state=state,
                        count=people, audience=audience, program=program, trained_on=on, created_at=at)

    def report(team, state, made_to, on):
        return Report(team_id=team, state=state, made_to=made_to, reported_on=on, created_at=at)

    with running.bot.services.sessions.begin() as session:
        session.add_all([
            trained("T0TEST", "NE", 10, "drivers", "TAT", date(2026, 3, 2)),
            trained("T0TEST", "NE", 5, "drivers", "TAT", date(2026, 3, 31)),
            trained("T0TEST", "NE", 7, "staff", "TAT", date(2026, 4, 1)),
            trained("T0TEST", "NE", 4, "officers", "LE", date(2026, 3, 15)),
            trained("T0TEST", "IA", 100, "drivers", "TAT", date(2026, 3, 2)),     # another state
            trained("T0OTHER", "NE", 1000, "drivers", "TAT", date(2026, 3, 2)),   # another workspace
            report("T0TEST", "NE", "hotline", date(2026, 3, 1)), report("T0TEST", "NE", "hotline", date(2026, 4, 9)),
            report("T0TEST", "NE", "911", date(2026, 4, 30)), report("T0TEST", "IA", "911", date(2026, 4, 30)),
            report("T0OTHER", "NE", "police", date(2026, 4, 30)),
        ])
    with running.bot.services.sessions() as session:
        found = figures(session, "T0TEST", "NE", at)
    assert found.trained == 26 and found.by_program == {"TAT": 22, "LE": 4}
    assert found.by_audience == {"drivers": 15, "staff": 7, "officers": 4}
    assert found.trained_per_month == {"TAT": {"2026-03": 15, "2026-04": 7}, "LE": {"2026-03": 4}}
    assert found.reports == {"hotline": 2, "911": 1} and found.reports_per_month == {"2026-03": 1, "2026-04": 2}
