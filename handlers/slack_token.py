"""Checking the bot token after start-up, so that a Slack outage never stops the bot starting."""
import logging
import threading

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger("tat")

REFUSED_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked"}


def check_token_in_background(client: WebClient) -> threading.Thread:
    """Ask Slack's auth.test about the token on a thread of its own, and log the answer in one line."""
    thread = threading.Thread(target=check_token, args=(client,), name="token-check", daemon=True)
    thread.start()
    return thread


def check_token(client: WebClient) -> None:
    """Log one line: connected, the token refused, or Slack unreachable for now."""
    try:
        answer = client.auth_test()
    except SlackApiError as refused:
        error = refused.response.get("error", "unknown_error")
        if error in REFUSED_TOKEN:
            log.error("Slack refused SLACK_BOT_TOKEN (%s): set a valid bot token and restart the bot", error)
        else:
            log.warning("Slack's auth.test answered %s; the bot keeps serving and will try again per request",
                        error)
    except (OSError, SlackClientError) as unreachable:
        log.warning("Slack is unreachable for now (%s); the bot keeps serving and will retry",
                    type(unreachable).__name__)
    else:
        log.info("connected to Slack as %s in team %s", answer.get("user_id"), answer.get("team_id"))
