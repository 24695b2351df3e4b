"""Nothing a person runs prints a traceback: every verb of `python bot.py`, run as a process against
each fault outside the bot (Slack unreachable, the database unreachable or missing, a malformed
DATABASE_URL), says one clear sentence and exits non-zero, or, serving, keeps trying and says so.
All traffic goes to loopback: a closed port on 127.0.0.1 is "unreachable". And `--help` on every
verb touches nothing."""
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.test_import import GOOD, HEADER
from tests.test_running import bot_env, bot_process, closed_port, free_port

VERBS = ["serve", "serve-socket", "shell", "dispatch", "import", "export", "check"]
FAULTS = ["slack unreachable", "database unreachable", "database missing", "unreadable DATABASE_URL",
          "password with @"]
SERVING_LINE = {"serve": "Slack is unreachable", "serve-socket": "Slack cannot be reached for Socket Mode"}


def missing_database(database_url: str, folder: Path) -> str:
    """A database that is not there: on PostgreSQL a name the server does not have."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{folder / 'no-such-folder' / 'tat.db'}"
    return url.set(database="tat_no_such_database", query={}).render_as_string(hide_password=False)


def fault_env(fault: str, slack, database_url: str, folder: Path) -> dict:
    env = bot_env(slack, database_url, PORT=str(free_port()), DATABASE_WAIT_SECONDS="1")
    env.update({
        "slack unreachable": {"SLACK_API_URL": f"http://127.0.0.1:{closed_port()}/api/"},
        "database unreachable": {"DATABASE_URL": f"postgresql://tat@127.0.0.1:{closed_port()}/tat"},
        "database missing": {"DATABASE_URL": missing_database(database_url, folder),
                             "DATABASE_WAIT_SECONDS": "60"},   # reported at once, not waited out
        "unreadable DATABASE_URL": {"DATABASE_URL": "postgresql://::::"},
        "password with @": {"DATABASE_URL": "postgresql://tat:s3cr@tpass@127.0.0.1/tat"},
    }[fault])
    return env


def verb_args(verb: str, folder: Path) -> list[str]:
    listed = folder / "meeting.csv"
    listed.write_text(HEADER + GOOD[0] + "\n")
    return {"serve": ["serve"], "serve-socket": ["serve"], "shell": ["shell"], "dispatch": ["dispatch"],
            "import": ["import", str(listed)], "export": ["export"], "check": ["check"]}[verb]


def started(project_root, folder: Path, verb: str, env: dict) -> tuple[subprocess.Popen, Path]:
    folder.mkdir()
    if verb == "serve-socket":
        env = {**env, "SLACK_APP_TOKEN": "xapp-test"}
    log = folder / "bot.log"
    with log.open("w") as output:
        return bot_process(project_root, folder, env, *verb_args(verb, folder), output=output), log


def finished(verb: str, process: subprocess.Popen, log: Path) -> tuple[int, str]:
    try:
        if verb in SERVING_LINE and _serving(process, log, SERVING_LINE[verb]):
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)
    finally:
        process.kill()
    return process.returncode, log.read_text()


def _serving(process: subprocess.Popen, log: Path, line: str, timeout: float = 120) -> bool:
    """True once a serving bot says it keeps trying Slack; False if it stopped first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if line in log.read_text():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS)
def test_every_verb_meets_every_fault_with_a_sentence_not_a_traceback(project_root, tmp_path, slack,
                                                                     empty_database, fault):
    env = fault_env(fault, slack, empty_database, tmp_path)
    running = {verb: started(project_root, tmp_path / verb, verb, {**env, "PORT": str(free_port())})
               for verb in VERBS}   # every verb at once: each is a Python start-up
    for verb, (process, log) in running.items():
        status, said = finished(verb, process, log)
        assert "Traceback" not in said, (verb, said)
        assert "s3cr" not in said and "tpass" not in said, verb     # a password is never echoed
        assert_outcome(verb, fault, status, said, empty_database)


def assert_outcome(verb: str, fault: str, status: int, said: str, database_url: str) -> None:
    if fault == "password with @":
        assert status == 2 and "%40" in said, (verb, said)
    elif fault == "unreadable DATABASE_URL":
        assert status == 2 and "DATABASE_URL" in said, (verb, said)
    elif verb == "shell":      # the shell keeps its own database and talks to a stand-in for Slack
        assert status == 0 and "/tat" in said, said
    elif verb in SERVING_LINE and fault == "slack unreachable":
        assert status == 0 and SERVING_LINE[verb] in said, (verb, said)
    else:
        assert status not in (0, None), (verb, said)
        named = "Slack" if fault == "slack unreachable" else "database"
        sentences = ([line for line in said.splitlines() if "FAIL" in line] if verb == "check"
                     else said.strip().splitlines()[-1:])
        assert any(named in sentence for sentence in sentences), (verb, said)
        if fault == "database missing" and "postgresql" in database_url:
            assert "does not exist" in said and "did not answer within" not in said, (verb, said)


def test_help_on_every_verb_touches_nothing(project_root, tmp_path, slack):
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "x", "SLACK_API_URL": slack.api_url}
    verbs = ["", "serve", "check", "shell", "dispatch", "import", "export"]
    folders = {verb: tmp_path / (verb or "none") for verb in verbs}
    for folder in folders.values():
        folder.mkdir()
    processes = {verb: bot_process(project_root, folders[verb], env, *([verb] if verb else []), "--help")
                 for verb in verbs}   # at once: each is a Python start-up
    for verb, process in processes.items():
        said, _ = process.communicate(timeout=90)
        assert process.returncode == 0 and ("usage" in said.lower() or "python bot.py" in said), (verb, said)
        assert list(folders[verb].iterdir()) == [], verb     # no tat.db
    assert slack.calls == []
