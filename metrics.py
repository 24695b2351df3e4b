"""Prometheus metrics, served at GET /metrics when METRICS=1 (prometheus_client's text format).

Counted as they happen: requests by kind and outcome, with latency histograms; messages sent,
retried and given up (dead), by kind; Slack's 429s by method. Read from the database at each
scrape: messages owed now, dead letters, and follow-up posts sent and missed. No label ever holds
personal data: kinds, methods and status codes only.
"""
import threading
import time

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("tat_requests", "HTTP requests answered, by kind and outcome (the HTTP status)",
                   ["kind", "outcome"])
LATENCY = Histogram("tat_request_seconds", "Time to answer an HTTP request, by kind", ["kind"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3, 5, 10))
SENT = Counter("tat_messages_sent", "Messages Slack took from the outbox, by kind", ["kind"])
RETRIED = Counter("tat_messages_retried", "Sends put off for a later try (429, 5xx, a lost answer), by kind",
                  ["kind"])
DEAD = Counter("tat_messages_dead", "Messages given up: refused by Slack for good, or owed over 7 days, by kind",
               ["kind"])
RATE_LIMITED = Counter("tat_slack_ratelimited", "429 answers from Slack, by Web API method", ["method"])
KINDS = {"command", "block_actions", "view_submission", "view_closed", "block_suggestion", "shortcut",
         "message_action", "event", "url_verification", "ssl_check"}

_request = threading.local()   # the kind of the request this thread is answering, once Bolt has read it


def request_kind(body) -> str:
    """What a verified Slack request is, for a label: a closed set of words."""
    if not isinstance(body, dict):
        return "other"
    if body.get("ssl_check") == "1":
        return "ssl_check"
    if "command" in body:
        return "command"
    kind = body.get("type")
    kind = "event" if kind == "event_callback" else kind
    return kind if kind in KINDS else "other"


def measured(application, bolt_app, enabled: bool):
    """The WSGI application, counting and timing every request; serving /metrics when enabled."""
    @bolt_app.middleware
    def note_kind(req, resp, next):
        _request.kind = request_kind(req.body)
        return next()

    def wsgi(environ, start_response):
        path = environ.get("PATH_INFO")
        if path == "/metrics" and environ.get("REQUEST_METHOD") == "GET" and enabled:
            body = generate_latest(REGISTRY)
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))])
            return [body]
        _request.kind = "healthz" if path == "/healthz" else "refused"   # until Bolt reads a verified body
        started, status = time.perf_counter(), []

        def noting(code, headers, *rest):
            status.append(code.split(" ", 1)[0])
            return start_response(code, headers, *rest)

        body = application(environ, noting)
        kind = _request.kind
        REQUESTS.labels(kind, status[0] if status else "none").inc()
        LATENCY.labels(kind).observe(time.perf_counter() - started)
        return body

    return wsgi


class OutboxFigures:
    """Read at each scrape: what the outbox owes now, its dead letters, follow-up posts sent and missed."""

    def __init__(self, read):
        self.read = read   # () -> (owed, dead, followups sent, followups missed)

    def collect(self):
        try:
            owed, dead, sent, missed = self.read()
        except Exception:   # the database is away: the scrape still answers, without these
            return
        yield GaugeMetricFamily("tat_messages_owed", "Messages due now and not yet sent", value=owed)
        yield GaugeMetricFamily("tat_dead_letters", "Messages given up, waiting in /tat outbox", value=dead)
        followups = GaugeMetricFamily("tat_followups", "Follow-up posts by what became of them", labels=["status"])
        followups.add_metric(["sent"], sent)
        followups.add_metric(["missed"], missed)
        yield followups


_figures = OutboxFigures(lambda: (0, 0, 0, 0))
REGISTRY.register(_figures)


def read_figures_with(read) -> None:
    """Which database the scrape reads (the running bot's)."""
    _figures.read = read
