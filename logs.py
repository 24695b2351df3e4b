"""The bot's log: one line per event, as text (the default) or as JSON (LOG_FORMAT=json) for a log
collector. It never holds personal data: the code logs ids, counts and Slack's error codes only."""
import json
import logging
import sys
from datetime import UTC, datetime

TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET = {"apscheduler": logging.WARNING,                       # not a line per tick
         "slack_sdk.web.base_client": logging.CRITICAL}       # the bot reports failed calls itself


class JsonLines(logging.Formatter):
    """A record as one JSON object on one line; a traceback becomes a field of it."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class _StandardError(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is logged (tests swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure(log_format: str = "text") -> None:
    """Log INFO and above to standard error, in the chosen format (called again once settings are read)."""
    handler = _StandardError()
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "tat_log", False)]:
        root.removeHandler(old)
    handler.tat_log = True
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(level)
