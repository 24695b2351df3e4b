"""The README is for the people who run the bot: its two commands, its sections in order, one table
of commands that agrees with handlers/__init__.py, and every setting config.py reads."""
import re

import pytest

from handlers import COMMANDS

SECTIONS = ["What it does", "Try it", "Connect a workspace", "Deploy", "Configure", "Operate"]
TWO_COMMANDS = """```sh
python3 dev.py start     # start the bot; with no Slack credentials it opens the local shell
python3 dev.py test      # run the tests (SQLite; TEST_DATABASE_URL=postgresql://... for PostgreSQL)
```"""


@pytest.fixture(scope="module")
def readme(project_root) -> str:
    return (project_root / "README.md").read_text()


def command_rows(readme: str) -> dict[str, str]:
    """Each `/tat ...` row of the README's tables: its usage → who may use it."""
    rows = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if cells and cells[0].startswith("`/tat"):
            usage = cells[0].strip("`").replace("\\|", "|")
            assert usage not in rows, f"the README lists {usage} twice"
            rows[usage] = cells[1]
    return rows


def row_for(command) -> str:
    usage = f"/tat {command.usage}".replace("|", "\\|")
    return f"| `{usage}` | {'admins' if command.admins_only else 'anyone'} | {command.summary} |"


def test_the_readme_starts_with_the_two_commands(readme):
    assert readme.split("\n", 2)[2].startswith(TWO_COMMANDS)


def test_the_readme_speaks_to_those_who_run_it_in_this_order(readme):
    headings = re.findall(r"^## (.+)$", readme, re.MULTILINE)
    assert headings == SECTIONS


def test_the_readme_has_one_table_of_commands_and_it_lists_every_command(readme):
    listed = command_rows(readme)
    missing = [row_for(c) for c in COMMANDS if f"/tat {c.usage}" not in listed]
    assert not missing, "add these rows to the README's commands table:\n" + "\n".join(missing)
    known = {f"/tat {c.usage}" for c in COMMANDS}
    assert [usage for usage in listed if usage not in known] == [], "the README lists commands the bot lacks"
    wrong = [c.usage for c in COMMANDS if (listed[f"/tat {c.usage}"] == "admins") != c.admins_only]
    assert wrong == [], "'who' must be 'admins' exactly for the admins' commands"
    assert len(re.findall(r"^\| command \| who \| what \|$", readme, re.MULTILINE)) == 1


def test_the_readme_names_every_setting(readme, project_root):
    read = set(re.findall(r'value\("([A-Z_]+)"\)', (project_root / "config.py").read_text()))
    assert len(read) >= 8
    assert sorted(name for name in read if f"| `{name}` |" not in readme) == []


def test_internals_live_in_docs_linked_once(readme, project_root):
    assert readme.count("docs/architecture.md") == 2 and readme.count("](docs/") == 1   # [text](target)
    index = (project_root / "docs" / "architecture.md").read_text()
    for page in re.findall(r"\]\(([\w-]+\.md)\)", index):
        assert (project_root / "docs" / page).exists(), page


def test_the_readmes_sqlite_backup_copies_a_database_in_use(readme, tmp_path):
    import sqlite3
    import subprocess
    import sys

    command = re.search(r'`\.venv/bin/python -c "(import sqlite3;[^"]+)"`', readme).group(1)
    live, copy = tmp_path / "tat.db", tmp_path / "backup.db"
    database = sqlite3.connect(live)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("CREATE TABLE stakeholders (name TEXT)")
    database.execute("INSERT INTO stakeholders VALUES ('Sam Stone')")
    database.commit()          # still open, as the running bot holds it
    command = command.replace("/var/lib/tat-bot/tat.db", str(live)).replace("/backups/tat.db", str(copy))
    subprocess.run([sys.executable, "-c", command], check=True, timeout=60)
    assert sqlite3.connect(copy).execute("SELECT name FROM stakeholders").fetchall() == [("Sam Stone",)]
    database.close()
