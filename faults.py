"""What a person sees when a verb of `python bot.py` meets a fault outside the bot: one clear
sentence with what to do, never a traceback (Slack unreachable or refusing, the database gone)."""
import http.client
import socket
import urllib.error

from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.exc import DBAPIError

from storage.db import DatabaseUnavailable, first_line

UNREACHABLE = (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, http.client.HTTPException,
               SlackClientError)
REFUSED_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


def explained(error: BaseException, api_url: str) -> str | None:
    """The sentence for a fault a person can fix or wait out; None for anything else (a bug)."""
    if isinstance(error, SlackApiError):
        return _slack_refused(error)
    if isinstance(error, UNREACHABLE):
        return (f"Slack cannot be reached at {api_url} ({_reason(error)}); nothing more was done. Check this "
                "machine's network (and SLACK_API_URL), then run it again.")
    if isinstance(error, DatabaseUnavailable):
        return f"The bot cannot start: {error}"
    if isinstance(error, DBAPIError):
        return (f"The database stopped answering ({first_line(error)}); nothing more was done. Check that it is "
                "running and reachable, then run it again.")
    return None


def _slack_refused(error: SlackApiError) -> str:
    code = error.response.get("error") or f"HTTP {error.response.status_code}"
    if code in REFUSED_TOKEN:
        return (f"Slack refused SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token again from your app's "
                "OAuth & Permissions page, then run it again.")
    if error.response.status_code >= 500 or code == "ratelimited":
        return f"Slack is not answering for now ({code}); nothing more was done. Try again in a few minutes."
    return f"Slack refused the request ({code}); nothing more was done. `python bot.py check` says what to fix."


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or error
    text = str(reason).strip() or type(reason).__name__
    return text.removeprefix("[Errno 111] ").split("\n")[0][:200]
