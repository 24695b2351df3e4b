"""GET /metrics in Prometheus' text format when METRICS=1 (404 otherwise): requests by kind and
outcome with latency histograms, messages sent, retried and dead, 429s by method, what is owed, and
follow-ups sent and missed. And the log as one JSON object per line."""
import json
import logging
import threading
from contextlib import contextmanager

from prometheus_client.parser import text_string_to_metric_families

import bot as tat_bot
import logs
from localslack import payloads
from localslack.client import BotClient, stop_server
from storage import outbox
from storage.models import now
from tests.conftest import ADMIN, SECRET, TEAM_ID, settings_for


@contextmanager
def served(slack, database_url: str, metrics: bool):
    built = tat_bot.build(settings_for(database_url, slack))   # its sender is not started: tests send
    server = tat_bot.http_server(built, SECRET, "127.0.0.1", 0, serve_metrics=metrics)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield BotClient(f"http://127.0.0.1:{server.effective_port}", slack), built
    finally:
        stop_server(server, thread)
        built.close()


def scraped(client: BotClient) -> dict[tuple[str, tuple], float]:
    answer = client.get("/metrics")
    assert answer.status == 200
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(answer.body) for sample in family.samples}


def test_metrics_are_served_only_when_switched_on(slack, empty_database):
    with served(slack, empty_database, metrics=False) as (client, _):
        assert client.get("/metrics").status == 404


def test_requests_are_counted_by_kind_and_outcome_and_timed(slack, empty_database):
    with served(slack, empty_database, metrics=True) as (client, _):
        before = scraped(client)
        client.command(ADMIN, "help")
        client.post(payloads.slash_command(ADMIN, "help", slack.response_url(ADMIN)), {"X-Slack-Signature": "v0=0"})
        client.get("/healthz")
        after = scraped(client)

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)
    assert grew("tat_requests_total", kind="command", outcome="200") == 1
    assert grew("tat_requests_total", kind="refused", outcome="401") == 1
    assert grew("tat_requests_total", kind="healthz", outcome="200") == 1
    assert grew("tat_request_seconds_count", kind="command") == 1
    assert grew("tat_request_seconds_bucket", kind="command", le="+Inf") == 1


def test_messages_sent_retried_dead_and_429s_are_counted_and_the_outbox_read(slack, empty_database):
    slack.fail("chat.postMessage", status=429, retry_after=1, channel="U0RETRY01")
    slack.fail("chat.postMessage", error="channel_not_found", channel="C0GONE0001")
    with served(slack, empty_database, metrics=True) as (client, built):
        before = scraped(client)
        with built.services.sessions.begin() as session:
            outbox.enqueue(session, "metrics:sent", "U0SENT0001", "hello", team_id=TEAM_ID)
            outbox.enqueue(session, "followup:1:m1:r1", "C0COAL0001", "the first follow-up", team_id=TEAM_ID)
            outbox.enqueue(session, "metrics:dead", "C0GONE0001", "hello", team_id=TEAM_ID)
            # last: a 429 pauses the method
            outbox.enqueue(session, "metrics:retried", "U0RETRY01", "hello", team_id=TEAM_ID)
        built.sender.send_due()
        with built.services.sessions.begin() as session:   # a follow-up post given up after 7 days
            outbox.enqueue(session, "followup:1:m3:r1", "C0COAL0001", "missed", not_before=now(), team_id=TEAM_ID)
            (late,) = outbox.claim_due(session, now(), 1, ["followup:1:m3:r1"], "test:1")
            outbox.bury(session, late.id, now(), "gave up after 7 days")
        after = scraped(client)

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)
    assert grew("tat_messages_sent_total", kind="literal") == 2
    assert grew("tat_messages_retried_total", kind="literal") == 1
    assert grew("tat_messages_dead_total", kind="literal") == 1
    assert grew("tat_slack_ratelimited_total", method="chat.postMessage") == 1
    assert after[("tat_messages_owed", ())] == 1           # the retried one, still owed
    assert after[("tat_dead_letters", ())] == 2
    assert after[("tat_followups", (("status", "sent"),))] == 1
    assert after[("tat_followups", (("status", "missed"),))] == 1


def test_json_logs_are_one_object_per_line_traceback_included(capsys):
    logs.configure("json")
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("tat.test").exception("it failed (%s)", "why")
        logging.getLogger("tat.test").info("then it worked")
    finally:
        logs.configure("text")
        logging.getLogger().removeHandler(next(h for h in logging.getLogger().handlers if getattr(h, "tat_log", 0)))
    lines = [line for line in capsys.readouterr().err.splitlines() if '"logger": "tat.test"' in line]
    first, second = map(json.loads, lines)
    assert (first["level"], first["message"]) == ("error", "it failed (why)") and "ValueError: boom" in first["error"]
    assert second["message"] == "then it worked" and len(lines) == 2
