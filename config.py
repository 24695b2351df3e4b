"""Settings: parsed once, from a mapping (bot.py passes the environment after reading .env)."""
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///tat.db"
DEFAULT_DATABASE_WAIT_SECONDS = 60
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
HOST_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$")
LOG_FORMATS = ("text", "json")


class SettingsError(Exception):
    """One or more settings are missing or malformed; `problems` names each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    api_url: str
    database_url: str
    port: int
    admins: frozenset[str]
    database_wait_seconds: int = DEFAULT_DATABASE_WAIT_SECONDS
    host: str = "0.0.0.0"
    metrics: bool = False
    log_format: str = "text"

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @property
    def has_slack_credentials(self) -> bool:
        return bool(self.bot_token or self.signing_secret or self.app_token)


def load_settings(env: Mapping[str, str]) -> Settings:
    """Parse every setting, collecting all problems before raising."""
    problems: list[str] = []
    value = lambda name: (env.get(name) or "").strip() or None  # noqa: E731
    bot_token, app_token = value("SLACK_BOT_TOKEN"), value("SLACK_APP_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        problems.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-.")
    if app_token and not app_token.startswith("xapp-"):
        problems.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-.")
    settings = Settings(
        bot_token=bot_token,
        signing_secret=value("SLACK_SIGNING_SECRET"),
        app_token=app_token,
        api_url=_api_url(value("SLACK_API_URL") or DEFAULT_API_URL, problems),
        database_url=_database_url(value("DATABASE_URL") or DEFAULT_DATABASE_URL, problems),
        port=_port(value("PORT") or "3000", problems),
        admins=_admins(value("TAT_ADMINS") or "", problems),
        database_wait_seconds=_seconds("DATABASE_WAIT_SECONDS", value("DATABASE_WAIT_SECONDS"), problems),
        host=_host(value("HOST") or "0.0.0.0", problems),
        metrics=_switch("METRICS", value("METRICS") or "0", problems),
        log_format=_choice("LOG_FORMAT", (value("LOG_FORMAT") or "text").lower(), LOG_FORMATS, problems),
    )
    if problems:
        raise SettingsError(problems)
    return settings


def require_slack(settings: Settings) -> None:
    """Raise unless the settings can connect to Slack in their mode."""
    problems = []
    if not settings.bot_token:
        problems.append("SLACK_BOT_TOKEN is not set (the bot token, xoxb-...).")
    if not settings.socket_mode and not settings.signing_secret:
        problems.append(
            "SLACK_SIGNING_SECRET is not set (needed in HTTP mode; "
            "or set SLACK_APP_TOKEN for Socket Mode)."
        )
    if problems:
        raise SettingsError(problems)


def _api_url(url: str, problems: list[str]) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        problems.append(f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_API_URL}, not {url!r}.")
    return url if url.endswith("/") else url + "/"


def _database_url(url: str, problems: list[str]) -> str:
    """The URL, or a problem that says how to write it: never echoing a password."""
    form = "DATABASE_URL must look like sqlite:///tat.db or postgresql://user:password@host:5432/db"
    if url.partition("://")[2].partition("/")[0].count("@") > 1:
        problems.append(f"{form}; it has more than one @ before the host: write an @ in the password as %40 "
                        "(percent-encode the password's special characters: : as %3A, / as %2F, # as %23).")
        return url
    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
    except (ArgumentError, ValueError):
        problems.append(f"{form}; this one cannot be read (is the port a number? is a : or @ in the password "
                        "percent-encoded, as %3A and %40?).")
        return url
    if backend not in ("sqlite", "postgresql", "postgres"):
        problems.append(f"{form}, not {parsed.render_as_string(hide_password=True)!r}.")
    return url


def _port(text: str, problems: list[str]) -> int:
    if text.isdigit() and 0 < int(text) < 65536:
        return int(text)
    problems.append(f"PORT must be a port number from 1 to 65535, not {text!r}.")
    return 0


def _seconds(name: str, text: str | None, problems: list[str]) -> int:
    if text is None:
        return DEFAULT_DATABASE_WAIT_SECONDS
    if text.isascii() and text.isdigit() and len(text) <= 6:
        return int(text)
    problems.append(f"{name} must be a whole number of seconds such as 60, not {text!r}.")
    return 0


def _admins(text: str, problems: list[str]) -> frozenset[str]:
    ids = [part.strip() for part in text.split(",") if part.strip()]
    bad = [i for i in ids if not SLACK_USER_ID.match(i)]
    if bad:
        problems.append(
            "TAT_ADMINS must be Slack user IDs separated by commas, such as U012ABCDEF,U034GHIJKL; "
            f"not {', '.join(bad)}."
        )
    return frozenset(ids)


def _host(text: str, problems: list[str]) -> str:
    try:
        ipaddress.ip_address(text)
        return text
    except ValueError:
        pass
    if HOST_NAME.match(text):
        return text
    problems.append(f"HOST must be an address to listen on, such as 0.0.0.0 (every interface) or 127.0.0.1 "
                    f"(this machine only), not {text!r}.")
    return "0.0.0.0"


def _switch(name: str, text: str, problems: list[str]) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    problems.append(f"{name} must be 1 (on) or 0 (off), not {text!r}.")
    return False


def _choice(name: str, text: str, choices: tuple[str, ...], problems: list[str]) -> str:
    if text in choices:
        return text
    problems.append(f"{name} must be {' or '.join(choices)}, not {text!r}.")
    return choices[0]
