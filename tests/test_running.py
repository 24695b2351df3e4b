"""`python bot.py` as an operator runs it: settings checked up front, HTTP served, SIGTERM honoured."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from localslack import payloads
from tests.conftest import SECRET


def bot_process(project_root, cwd, env: dict, *args, output=subprocess.PIPE) -> subprocess.Popen:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TAT_", "DATABASE_", "PORT"))}
    return subprocess.Popen([sys.executable, str(project_root / "bot.py"), *args], cwd=cwd,
                            env={**clean, **env}, stdin=subprocess.DEVNULL,
                            stdout=output, stderr=subprocess.STDOUT, text=True)


def bot_env(slack, database_url: str, **settings) -> dict:
    """The environment of a bot in HTTP mode that talks to the Slack stand-in."""
    return {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url, "TAT_ADMINS": "U0ADMIN001,U0ADMIN002", **settings}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_without_credentials_or_a_terminal_it_names_what_is_missing(project_root, tmp_path):
    process = bot_process(project_root, tmp_path, {})
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "SLACK_BOT_TOKEN" in output and "SLACK_SIGNING_SECRET" in output and "Traceback" not in output


def test_every_malformed_setting_stops_start_up_in_one_message(project_root, tmp_path):
    process = bot_process(project_root, tmp_path, {"SLACK_BOT_TOKEN": "xoxp-wrong", "PORT": "http",
                                                   "TAT_ADMINS": "alex"})
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    assert all(name in output for name in ("SLACK_BOT_TOKEN", "PORT", "TAT_ADMINS"))
    assert "Traceback" not in output


def test_settings_come_from_a_dot_env_file_too(project_root, tmp_path):
    (tmp_path / ".env").write_text("PORT=99999\n")
    process = bot_process(project_root, tmp_path, {})
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2 and "PORT must be a port number" in output


def test_http_mode_serves_health_and_stops_cleanly_on_sigterm(project_root, tmp_path, slack, empty_database):
    port = free_port()
    process = bot_process(project_root, tmp_path, bot_env(slack, empty_database, PORT=str(port)))
    try:
        assert wait_for_health(f"http://127.0.0.1:{port}/healthz", process) == 200
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert "Traceback" not in output


def wait_for_health(url: str, process: subprocess.Popen, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the bot exited early: {process.stdout.read() if process.stdout else 'see its log'}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                return reply.status
        except OSError:
            time.sleep(0.1)
    pytest.fail("the bot did not answer /healthz in time")


def test_the_dispatch_verb_sends_what_is_owed_once_and_exits(project_root, tmp_path, running):
    from tests.test_delivery import as_if_their_backoff_were_over, refused_three_times
    from tests.test_registration import MANAGER, TRUCK_STOP, submit

    running.slack.fail("chat.postMessage", error="fatal_error", times=3)
    submit(running, MANAGER, TRUCK_STOP)
    refused_three_times(running)
    as_if_their_backoff_were_over(running)
    env = bot_env(running.slack, running.database_url)
    outputs = [bot_process(project_root, tmp_path, env, "dispatch").communicate(timeout=60)[0] for _ in range(2)]
    assert "sent 3 due message(s)" in outputs[0] and "sent 0 due message(s)" in outputs[1]


def test_on_start_the_bot_sends_what_it_still_owed(project_root, tmp_path, running):
    from tests.test_delivery import as_if_their_backoff_were_over, refused_three_times
    from tests.test_registration import MANAGER, TRUCK_STOP, submit

    running.slack.fail("chat.postMessage", error="fatal_error", times=3)
    submit(running, MANAGER, TRUCK_STOP)
    refused_three_times(running)
    as_if_their_backoff_were_over(running)
    process = bot_process(project_root, tmp_path, bot_env(running.slack, running.database_url, PORT=str(free_port())))
    try:
        delivered = running.slack.wait_for("chat.postMessage", count=6, timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    assert sorted(c.params["channel"] for c in delivered[3:]) == ["U0ADMIN001", "U0ADMIN002", MANAGER]


def closed_port() -> int:
    """A local port nothing listens on: bound, noted and closed again."""
    return free_port()


def wait_for_line(log_path, words: str, process: subprocess.Popen, timeout: float = 30) -> str:
    """Block until the bot's log has a line containing `words`; return the whole log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log_path.read_text()
        if words in text:
            return text
        if process.poll() is not None:
            pytest.fail(f"the bot exited early: {text}")
        time.sleep(0.1)
    pytest.fail(f"the bot never logged {words!r}: {log_path.read_text()}")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    finally:
        process.kill()


def test_the_bot_starts_and_answers_health_while_slack_is_unreachable(project_root, tmp_path, slack, empty_database):
    port, log_path = free_port(), tmp_path / "bot.log"
    env = bot_env(slack, empty_database, PORT=str(port), SLACK_API_URL=f"http://127.0.0.1:{closed_port()}/api/")
    with log_path.open("w") as output:
        process = bot_process(project_root, tmp_path, env, output=output)
    try:
        assert wait_for_health(f"http://127.0.0.1:{port}/healthz", process) == 200
        wait_for_line(log_path, "Slack is unreachable", process)
        body = payloads.slash_command("U0MANAGER1", "help", f"http://127.0.0.1:{closed_port()}/respond")
        request = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=body.encode(),
                                         headers=payloads.signed_headers(SECRET, body))
        with urllib.request.urlopen(request, timeout=10) as reply:
            helped = reply.read().decode()
    finally:
        stop(process)
    text = log_path.read_text()
    assert process.returncode == 0 and "Traceback" not in text
    assert len([line for line in text.splitlines() if "Slack is unreachable" in line]) == 1
    assert "/tat register" in helped                    # commands are answered while Slack is away


def test_a_refused_token_is_logged_in_one_line_and_the_bot_keeps_serving(project_root, tmp_path, slack,
                                                                         empty_database):
    port, log_path = free_port(), tmp_path / "bot.log"
    slack.fail("auth.test", error="invalid_auth")
    with log_path.open("w") as output:
        process = bot_process(project_root, tmp_path, bot_env(slack, empty_database, PORT=str(port)), output=output)
    try:
        wait_for_line(log_path, "invalid_auth", process)
        assert wait_for_health(f"http://127.0.0.1:{port}/healthz", process) == 200
    finally:
        stop(process)
    text = log_path.read_text()
    assert [line for line in text.splitlines() if "token" in line.lower()] == [
        next(line for line in text.splitlines() if "invalid_auth" in line)]
    assert "Traceback" not in text


def test_an_unreachable_database_stops_start_up_in_one_line_after_the_wait(project_root, tmp_path, slack):
    env = bot_env(slack, "postgresql://postgres@127.0.0.1:1/nope", PORT=str(free_port()), DATABASE_WAIT_SECONDS="1")
    process = bot_process(project_root, tmp_path, env)
    output, _ = process.communicate(timeout=60)
    assert process.returncode not in (0, None) and "Traceback" not in output
    named = [line for line in output.splitlines() if "cannot start" in line]
    assert len(named) == 1 and "database" in named[0] and "127.0.0.1:1" in named[0]


def test_a_database_that_comes_up_during_the_wait_is_used(project_root, tmp_path, slack):
    port, log_path, later = free_port(), tmp_path / "bot.log", tmp_path / "not-yet"
    env = bot_env(slack, f"sqlite:///{later / 'tat.db'}", PORT=str(port), DATABASE_WAIT_SECONDS="30")
    with log_path.open("w") as output:
        process = bot_process(project_root, tmp_path, env, output=output)
    try:
        wait_for_line(log_path, "waiting up to 30 s for the database", process)
        later.mkdir()
        assert wait_for_health(f"http://127.0.0.1:{port}/healthz", process) == 200
    finally:
        stop(process)
    assert "Traceback" not in log_path.read_text()


def test_settings_come_from_the_file_named_by_env_file_or_tat_env_file(project_root, tmp_path):
    settings = tmp_path / "tat.env"
    settings.write_text("PORT=99999\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for args, env in ((["--env-file", str(settings), "check"], {}), (["check"], {"TAT_ENV_FILE": str(settings)})):
        output, _ = bot_process(project_root, elsewhere, env, *args).communicate(timeout=60)
        assert "PORT must be a port number" in output, output
    output, _ = bot_process(project_root, elsewhere, {}, "--env-file", str(tmp_path / "nope.env")).communicate(
        timeout=60)
    assert "nope.env (from --env-file or TAT_ENV_FILE) does not exist" in output


def test_the_server_binds_the_host_it_is_given(project_root, tmp_path, slack, empty_database):
    port, log_path = free_port(), tmp_path / "bot.log"
    with log_path.open("w") as output:
        process = bot_process(project_root, tmp_path, bot_env(slack, empty_database, PORT=str(port), HOST="127.0.0.2"),
                              output=output)
    try:
        assert wait_for_health(f"http://127.0.0.2:{port}/healthz", process) == 200
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
    finally:
        stop(process)
    assert "listening on http://127.0.0.2:" in log_path.read_text()
