"""Nothing slow or locking before the acknowledgement: charts are drawn in a worker process (the
server never loads matplotlib), forms and Home never wait behind charts, commands that only read
are marked so, and a SQLite database locked by another process gets a quick "busy" answer."""
import os
import signal
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from domain import chart_worker
from localslack import payloads
from localslack.client import BotClient
from storage.db import engine_for
from tests.conftest import ADMIN, count_rows
from tests.test_registration import MANAGER, TRUCK_STOP, app_home_opened, wait_until
from tests.test_running import bot_env, bot_process, free_port, wait_for_health
from tests.test_trainings import approve, ephemeral

ASKED = 10   # more charts at once than the slow lane has threads, and than the quick lane has


def test_acknowledgements_forms_and_home_do_not_wait_for_charts_being_drawn(running):
    approve(running, MANAGER, TRUCK_STOP)
    ephemeral(running.command(ADMIN, "progress NE"))
    running.slack.wait_for("files.completeUploadExternal", timeout=120)   # the chart worker runs, and drew one
    worker = chart_worker.WORKER.pid
    assert worker is not None and worker != os.getpid()

    os.kill(worker, signal.SIGSTOP)   # a chart takes forever to draw
    try:
        answers = [ephemeral(running.command(ADMIN, "progress NE")) for _ in range(ASKED)]
        assert all("Coalition progress: Nebraska" in a["text"] for a in answers)   # every one acknowledged
        assert running.command("U0NEWCOMER", "register").status == 200
        running.slack.wait_for("views.open")                        # the form opens meanwhile
        running.send(payloads.event_callback(app_home_opened(MANAGER)), json_body=True)
        running.slack.wait_for("views.publish", user_id=MANAGER)    # and Home is published
        assert len(running.slack.calls_to("files.completeUploadExternal")) == 1   # no chart drawn yet
    finally:
        os.kill(worker, signal.SIGCONT)
    running.slack.wait_for("files.completeUploadExternal", count=1 + ASKED, timeout=120)
    assert running.bot.later.wait_idle(60)
    assert len(running.slack.uploaded(channel="D" + ADMIN[1:])) == 1 + ASKED   # every chart followed, once


def loaded_libraries(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_the_server_process_never_loads_matplotlib_its_chart_worker_does(project_root, tmp_path, slack,
                                                                          empty_database):
    port = free_port()
    process = bot_process(project_root, tmp_path, bot_env(slack, empty_database, PORT=str(port)))
    try:
        assert wait_for_health(f"http://127.0.0.1:{port}/healthz", process) == 200
        client = BotClient(f"http://127.0.0.1:{port}", slack)
        assert "Coalition progress: Nebraska" in ephemeral(client.command(ADMIN, "progress NE"))["text"]
        (shared,) = [f for f in wait_for_upload(slack) if f["name"] == "tat-progress-NE.png"]
        assert shared["content"].startswith(b"\x89PNG")

        assert "matplotlib" not in loaded_libraries(process.pid)
        (worker,) = [c for c in children_of(process.pid)
                     if b"domain.chart_worker" in Path(f"/proc/{c}/cmdline").read_bytes()]
        assert "matplotlib" in loaded_libraries(worker)   # the chart was drawn there
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0 and "Traceback" not in output, output
    wait_until(lambda: not Path(f"/proc/{worker}").exists() or "Z" in state_of(worker))   # the worker ended too


def wait_for_upload(slack) -> list[dict]:
    slack.wait_for("files.completeUploadExternal", timeout=60)
    return slack.uploaded()


def state_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return "gone"


def test_a_chart_worker_that_died_is_started_again_for_the_next_chart(running):
    ephemeral(running.command(ADMIN, "progress NE"))
    running.slack.wait_for("files.completeUploadExternal", timeout=120)
    worker = chart_worker.WORKER.pid
    os.kill(worker, signal.SIGKILL)   # it dies: the next chart starts another worker
    ephemeral(running.command(ADMIN, "progress NE"))
    running.slack.wait_for("files.completeUploadExternal", count=2, timeout=60)
    assert chart_worker.WORKER.pid not in (None, worker)


def test_a_full_slow_lane_refuses_more_while_quick_work_still_runs_and_shutdown_drops_what_waits():
    from handlers.later import Later

    later, release, ran = Later(threads=2, slow_threads=1, max_slow=3), threading.Event(), []
    try:
        assert all(later.slow(lambda: release.wait(60) and ran.append("slow")) for _ in range(3))
        assert later.slow(lambda: ran.append("one too many")) is False      # no room: the caller is told
        assert later(lambda: ran.append("form")) is True
        wait_until(lambda: ran == ["form"])                                  # the quick lane did not wait
    finally:
        stopping = threading.Thread(target=later.shutdown)
        stopping.start()
        wait_until(lambda: later.waiting() == 1)   # the two not started are dropped at once
        release.set()
        stopping.join(30)
    assert not stopping.is_alive() and ran == ["form", "slow"]   # the running one finished; the queued two dropped


@contextmanager
def write_lock_held(database_url: str):
    """Another process's writer holding the lock a write needs: SQLite's write lock, or on PostgreSQL
    a lock on the trainings table that lets readers through."""
    if database_url.startswith("sqlite"):
        holder = sqlite3.connect(make_url(database_url).database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = engine_for(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("LOCK TABLE trainings IN EXCLUSIVE MODE"))
            yield
    finally:
        engine.dispose()


def test_a_write_while_another_holds_the_lock_is_answered_busy_at_once_and_stores_nothing(running):
    approve(running, MANAGER, TRUCK_STOP)
    with write_lock_held(running.database_url):
        said = ephemeral(running.command(MANAGER, "trained 12"))["text"]
        assert "The bot is busy, try again in a moment" in said and "Logged" not in said
        assert "Coalition progress: Nebraska" in ephemeral(running.command(MANAGER, "progress"))["text"]  # reads answer
        assert "/tat trained" in ephemeral(running.command(MANAGER, "help"))["text"]
    assert count_rows(running.database_url, "trainings") == 0
    assert "Logged: 12 employees" in ephemeral(running.command(MANAGER, "trained 12"))["text"]   # free again: stored
    assert count_rows(running.database_url, "trainings") == 1
    running.bot.later.wait_idle()


def test_commands_that_only_read_are_marked_so_and_cannot_write():
    from handlers import COMMANDS
    from handlers.commands import Call

    typed = Call(user=ADMIN, text="", is_admin=True)
    reads = {c.word for c in COMMANDS if not c.uses_database or c.only_reads(typed)}
    assert {"help", "register", "contact", "trained", "progress", "hotline", "resources", "pending", "outbox",
            "milestone", "export", "setup", "followups"} <= reads
    with_words = Call(user=ADMIN, text="12", is_admin=True)
    assert not any(c.only_reads(with_words) for c in COMMANDS if c.word in ("trained", "hotline"))


def test_a_transaction_that_only_reads_cannot_write(running):
    from sqlalchemy.exc import DBAPIError

    from storage.db import reading

    with reading(running.bot.services.sessions) as session, pytest.raises(DBAPIError):
        session.execute(text("DELETE FROM trainings"))


def test_sigterm_stops_within_seconds_though_charts_are_queued_and_one_is_stuck(project_root, tmp_path, slack,
                                                                                empty_database):
    port = free_port()
    process = bot_process(project_root, tmp_path, bot_env(slack, empty_database, PORT=str(port)))
    try:
        assert wait_for_health(f"http://127.0.0.1:{port}/healthz", process) == 200
        client = BotClient(f"http://127.0.0.1:{port}", slack)
        ephemeral(client.command(ADMIN, "progress NE"))
        wait_for_upload(slack)
        (worker,) = [c for c in children_of(process.pid)
                     if b"domain.chart_worker" in Path(f"/proc/{c}/cmdline").read_bytes()]
        os.kill(worker, signal.SIGSTOP)   # the chart being drawn never finishes
        for _ in range(ASKED):
            assert "Coalition progress" in ephemeral(client.command(ADMIN, "progress NE"))["text"]
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)   # not the minutes the queue would take, nor forever
    finally:
        process.kill()
    assert process.returncode == 0 and "Traceback" not in output, output
    assert len(slack.uploaded()) == 1   # the queued charts were dropped, not drawn during shutdown
    told = [c.params["text"] for c in slack.calls_to("response_url")]
    assert any("the chart could not be drawn" in said for said in told)   # the one being drawn is said
