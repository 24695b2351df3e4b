"""`python bot.py import` and `export`: every row checked first, all or nothing, people matched to Slack
users by e-mail, the same file twice changes nothing."""
import csv
import io

import pytest
from sqlalchemy import select

import bot as tat_bot
from domain import spreadsheet
from storage.db import engine_for, session_factory
from storage.models import Base, Stakeholder
from tests.conftest import count_rows

HEADER = "name,email,sector,organization,title,phone,state,counties,site,interstate,exit\n"
GOOD = [
    "Sam Stone,sam@bigrig.example,Truck stop / travel plaza,Big Rig Plaza LLC,Manager,402-555-0100,NE,68102,"
    "Big Rig Plaza,80,440",
    'Dana Deputy,dana@sheriff.example,law_enforcement,Douglas County Sheriff,Sergeant,(402) 444-6000,Nebraska,'
    '"Douglas, Sarpy",,,',
    "Pat Patrol,pat@patrol.example,law_enforcement,Nebraska State Patrol,Captain,402-471-4545,NE,statewide,,,",
    "Chris Carrier,chris@prairie.example,trucking_company,Prairie Freight,,402-555-0199,NE,Lancaster County,,,",
]
SLACK_USERS = {"sam@bigrig.example": "U0SAM00001", "dana@sheriff.example": "U0DANA0001",
               "pat@patrol.example": "U0PAT00001"}


@pytest.fixture
def environment(monkeypatch, slack, empty_database):
    slack.users.update({uid: {"id": uid, "name": uid.lower(), "profile": {"email": email}}
                        for email, uid in SLACK_USERS.items()})
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_API_URL": slack.api_url,
                        "DATABASE_URL": empty_database, "SLACK_SIGNING_SECRET": "", "TAT_ADMINS": "",
                        "SLACK_APP_TOKEN": ""}.items():
        monkeypatch.setenv(name, value)
    return empty_database


def run(*args) -> int:
    return tat_bot.main(list(map(str, args)))


def stakeholders(url: str) -> list[Stakeholder]:
    engine = engine_for(url)
    with session_factory(engine)() as session:
        found = list(session.scalars(select(Stakeholder).order_by(Stakeholder.email)))
    engine.dispose()
    return found


def test_a_good_list_is_imported_and_matched_to_slack_users_and_a_second_import_changes_nothing(
        environment, tmp_path, capsys):
    listed = tmp_path / "meeting.csv"
    listed.write_text(HEADER + "\n".join(GOOD) + "\n")

    assert run("import", listed) == 0
    said = capsys.readouterr().out
    assert "Imported 3 people, pending" in said
    assert "line 5: chris@prairie.example is no Slack user" in said
    first = [(s.slack_user_id, s.sector, s.state, s.county_fips, s.statewide, s.jurisdiction, s.status)
             for s in stakeholders(environment)]
    assert first == [
        ("U0DANA0001", "law_enforcement", "NE", None, False, ("31055", "31153"), "pending"),
        ("U0PAT00001", "law_enforcement", "NE", None, True, (), "pending"),
        ("U0SAM00001", "truck_stop", "NE", "31055", False, (), "pending"),
    ]

    assert run("import", listed, "--approved") == 0
    second = capsys.readouterr().out
    assert "Imported 0 people, approved" in second and "3 already registered" in second
    again = [(s.slack_user_id, s.sector, s.state, s.county_fips, s.statewide, s.jurisdiction, s.status)
             for s in stakeholders(environment)]
    assert again == first


def test_approved_only_when_an_admin_says_so(environment, tmp_path, capsys):
    listed = tmp_path / "meeting.csv"
    listed.write_text(HEADER + GOOD[0] + "\n")
    assert run("import", listed, "--approved") == 0
    (sam,) = stakeholders(environment)
    assert sam.status == "approved" and sam.decided_by == "import" and sam.site_name == "Big Rig Plaza"


BAD_ROWS = [
    (",nobody@x.example,truck_stop,Org,,402-555-0100,NE,68102,Site,,", "name: Please fill this in"),
    ("Ann,not-an-email,truck_stop,Org,,402-555-0100,NE,68102,Site,,", "email: "),
    ("Ann,ann@x.example,pirate,Org,,402-555-0100,NE,68102,Site,,", "sector: not a sector"),
    ("Ann,ann@x.example,truck_stop,Org,,555-0100,NE,68102,Site,,", "phone: Please give a US phone number"),
    ("Ann,ann@x.example,truck_stop,Org,,402-911-0000,NE,68102,Site,,", "phone: "),
    ("Ann,ann@x.example,truck_stop,Org,,402-555-0100,Narnia,68102,Site,,", "state: Please choose a US state"),
    ("Ann,ann@x.example,truck_stop,Org,,402-555-0100,NE,Nowhereville,Site,,", "place: No county in Nebraska"),
    ("Ann,ann@x.example,truck_stop,Org,,402-555-0100,NE,68102,,,", "site_name: Please give the name"),
    ("Ann,ann@x.example,truck_stop,Org,,402-555-0100,NE,68102,Site,Route 66,", "interstate: "),
    ("Ann,ann@x.example,truck_stop,Org,,402-555-0100,NE,68102,Site,80,exit left", "exit: "),
    ("Ann,sam@bigrig.example,truck_stop,Org,,402-555-0100,NE,68102,Site,,", "is also on line 2"),
    ("Ann\u202eX,ann@x.example,truck_stop,Org,,402-555-0100,NE,68102,Site,,", "text-direction"),
    ("Ann,ann@x.example,law_enforcement,Org,,402-555-0100,NE,Douglas County Iowa,,,", "place: "),
    ("A" * 121 + ",ann@x.example,truck_stop,Org,,402-555-0100,NE,68102,Site,,", "characters or fewer"),
]


def test_every_kind_of_bad_row_is_reported_by_line_and_nothing_is_imported(environment, tmp_path, capsys):
    listed = tmp_path / "meeting.csv"
    listed.write_text(HEADER + GOOD[0] + "\n" + "\n".join(row for row, _ in BAD_ROWS) + "\n")

    assert run("import", listed, "--approved") == 1

    said = capsys.readouterr().out
    assert f"Nothing was imported: {len(BAD_ROWS)} row(s) need correcting." in said
    for line, (_, reason) in enumerate(BAD_ROWS, start=3):
        shown = next(x for x in said.splitlines() if x.startswith(f"  line {line}: "))
        assert reason in shown, (line, shown)
    assert count_rows(environment, "stakeholders") == 0


def test_a_list_without_the_needed_columns_says_which(environment, tmp_path, capsys):
    listed = tmp_path / "meeting.csv"
    listed.write_text("name,email\nSam,sam@bigrig.example\n")
    assert run("import", listed) == 1
    assert "line 1: the header row lacks the column(s) sector, organization, phone, state, counties" in \
        capsys.readouterr().out


def test_a_long_list_is_matched_through_users_list(environment, slack, tmp_path, capsys):
    rows = [f"Person {i},p{i}@fleet.example,trucking_company,Fleet {i},,402-555-0100,NE,68102,,,"
            for i in range(150)]
    slack.users.update({f"U0P{i:07d}": {"id": f"U0P{i:07d}", "profile": {"email": f"p{i}@fleet.example"}}
                        for i in range(0, 150, 2)})
    listed = tmp_path / "fleet.csv"
    listed.write_text(HEADER + "\n".join(rows) + "\n")
    assert run("import", listed) == 0
    assert "Imported 75 people" in capsys.readouterr().out
    assert slack.calls_to("users.list") and not slack.calls_to("users.lookupByEmail")


def test_export_writes_stakeholders_in_the_import_columns_then_trainings_and_reports(environment, tmp_path, capsys):
    listed = tmp_path / "meeting.csv"
    listed.write_text(HEADER + GOOD[0] + "\n")
    run("import", listed, "--approved")
    capsys.readouterr()
    assert run("export", "--state", "ne") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["record"], r["name"], r["counties"], r["site"], r["interstate"], r["exit"], r["status"])
            for r in rows] == [("stakeholder", "Sam Stone", "Douglas County", "Big Rig Plaza", "I-80", "440",
                                "approved")]
    out = tmp_path / "out.csv"
    assert run("export", "-o", out) == 0 and out.read_text().startswith(",".join(spreadsheet.EXPORT_COLUMNS))
    assert set(spreadsheet.COLUMNS) <= set(spreadsheet.EXPORT_COLUMNS)


def directory(url: str) -> list[tuple]:
    return [(s.slack_user_id, s.name, s.email, s.sector, s.organization, s.title, s.phone, s.state, s.county_fips,
             s.statewide, s.jurisdiction, s.site_name, s.interstate, s.exit, s.status) for s in stakeholders(url)]


def test_an_export_imported_into_an_empty_database_is_the_same_directory(environment, slack, tmp_path, capsys):
    slack.users["U0DASH0001"] = {"id": "U0DASH0001", "profile": {"email": "dash@fleet.example"}}
    formula = "=Dash Freight,dash@fleet.example,trucking_company,+1 Freight @Omaha,-Owner,402-555-0142,NE,Omaha,,,"
    listed = tmp_path / "meeting.csv"
    listed.write_text(HEADER + "\n".join([*GOOD, formula]) + "\n")
    assert run("import", listed, "--approved") == 0
    engine = engine_for(environment)
    with engine.begin() as connection:   # one stays pending
        connection.execute(Stakeholder.__table__.update().where(Stakeholder.slack_user_id == "U0PAT00001")
                           .values(status="pending", decided_by=None, decided_at=None))
    engine.dispose()
    before = directory(environment)
    exported = tmp_path / "export.csv"
    assert run("export", "-o", exported) == 0
    assert "'=Dash Freight" in exported.read_text() and "'+1 Freight @Omaha" in exported.read_text()
    empty(environment)

    capsys.readouterr()
    assert run("import", exported, "--approved") == 0, capsys.readouterr().out

    assert directory(environment) == before and len(before) == 4


def empty(url: str) -> None:
    engine = engine_for(url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


SAM_ACCENTED = "José Núñez,sam@bigrig.example,truck_stop,Café Plaza,Gerente,402-555-0100,NE,68102,Café Plaza,80,440"


@pytest.mark.parametrize("encoding, delimiter", [
    ("utf-8-sig", ","), ("cp1252", ","), ("latin-1", ","), ("utf-16", "\t"), ("utf-16-le", "\t"),
    ("utf-8", ";"),
])
def test_files_as_spreadsheets_save_them_import_alike(environment, tmp_path, capsys, encoding, delimiter):
    rows = [next(csv.reader([line])) for line in (HEADER.strip(), SAM_ACCENTED)]
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)
    listed = tmp_path / "saved.csv"
    listed.write_bytes(text.getvalue().encode(encoding))

    assert run("import", listed) == 0, capsys.readouterr().out

    (sam,) = stakeholders(environment)
    assert (sam.name, sam.organization, sam.site_name) == ("José Núñez", "Café Plaza", "Café Plaza")


def test_a_workbook_is_refused_with_how_to_save_it_as_csv(environment, tmp_path, capsys):
    book = tmp_path / "meeting.xlsx"
    book.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    assert run("import", book) == 2
    assert 'Save As → "CSV UTF-8' in capsys.readouterr().out


def test_a_row_with_the_wrong_number_of_cells_says_exactly_that(environment, tmp_path, capsys):
    listed = tmp_path / "meeting.csv"
    unquoted = ("Dana Deputy,dana@sheriff.example,law_enforcement,Douglas County Sheriff,,402-444-6000,NE,"
                "Douglas, Sarpy,,,")
    listed.write_text(HEADER + GOOD[0] + "\n" + unquoted + "\n" + GOOD[2] + ",\n")
    assert run("import", listed) == 1
    said = capsys.readouterr().out
    assert "Nothing was imported: 2 row(s)" in said
    assert "line 3: this row has 12 cells where the header has 11 columns" in said
    assert "line 4: this row has 12 cells" in said
    assert count_rows(environment, "stakeholders") == 0


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(environment, slack, tmp_path, capsys):
    listed = tmp_path / "meeting.csv"
    listed.write_text(HEADER + "\n".join(GOOD * 300) + "\n")
    assert run("import", listed, "--max-mb", "0.05") == 2
    said = capsys.readouterr().out
    assert "larger than the 0.05 MB allowed" in said and "--max-mb" in said
    assert count_rows(environment, "stakeholders") == 0 and slack.calls == []


def test_export_understands_a_state_by_name_and_refuses_what_is_not_one(environment, tmp_path, capsys):
    listed = tmp_path / "meeting.csv"
    listed.write_text(HEADER + GOOD[0] + "\n")
    run("import", listed, "--approved")
    capsys.readouterr()
    assert run("export", "--state", "Nebraska") == 0
    assert "Sam Stone" in capsys.readouterr().out
    assert run("export", "--state", "Narnia") == 2
    said = capsys.readouterr()
    assert "'Narnia' is not a US state" in said.err and said.out == ""


def test_export_refuses_a_workspace_that_is_not_the_tokens_or_not_in_the_database(environment, tmp_path, capsys,
                                                                                  monkeypatch):
    listed = tmp_path / "meeting.csv"
    listed.write_text(HEADER + GOOD[0] + "\n")
    run("import", listed, "--approved")
    capsys.readouterr()
    assert run("export", "--team", "TWRONG") == 2
    said = capsys.readouterr()
    assert "belongs to workspace T0COALITION, not TWRONG" in said.err and said.out == ""
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    assert run("export", "--team", "TWRONG") == 2
    said = capsys.readouterr()
    assert "No workspace TWRONG in this database" in said.err and said.out == ""


def test_memory_stays_flat_as_a_list_grows(tmp_path):
    import tracemalloc

    from domain import csvfile

    def peak(rows: int) -> int:
        listed = tmp_path / f"export-{rows}.csv"
        listed.write_text(",".join(spreadsheet.EXPORT_COLUMNS) + "\n"
                          + "report,,,,,,,NE,,,,,,2026-11-01,1,,,hotline\n" * rows)
        tracemalloc.start()
        with csvfile.opened(listed, spreadsheet.EXPORT_COLUMNS) as table:
            checked = spreadsheet.check(table)
        _, highest = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        checked.close()
        assert checked.skipped == rows
        return highest

    assert peak(40_000) < 2 * peak(2_000)
