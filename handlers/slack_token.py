"""Who the bot is to Slack, learnt after start-up: a Slack outage never stops the bot starting or
answering.

Bolt would call auth.test while the app is built and again on the first request; here the token
is checked on a thread of its own (retried while Slack is unreachable), and every request is
authorized locally with the bot token and whatever auth.test has told us so far.
"""
import logging
import threading

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger("tat")

REFUSED_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked"}
RETRY_EVERY = 60.0


class Identity:
    """The bot's user and bot ids once Slack has said them (None until then)."""

    def __init__(self, token: str | None):
        self.token = token
        self.user_id: str | None = None
        self.bot_id: str | None = None
        self.team_id: str | None = None   # the workspace the token belongs to: any other is a stranger
        self.known = threading.Event()
        self.when_known: list = []   # called with the team once auth.test names it (rows adopted, say)

    def teams(self) -> frozenset[str] | None:
        """The workspaces this bot holds a token for (None until auth.test has named the token's)."""
        return frozenset({self.team_id}) if self.team_id else None

    def authorizer(self):
        """Bolt's authorize function: no Slack call, ever, in a request."""
        def authorize(enterprise_id, team_id, user_id) -> AuthorizeResult:
            return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=self.token,
                                   bot_user_id=self.user_id, bot_id=self.bot_id, user_id=user_id)
        return authorize


def check_token_in_background(client: WebClient, identity: Identity, stop: threading.Event | None = None):
    """Ask Slack's auth.test about the token on a thread of its own; log the answer in one line."""
    stop = stop or threading.Event()

    def keep_trying() -> None:
        while not check_token(client, identity) and not stop.wait(RETRY_EVERY):
            pass

    thread = threading.Thread(target=keep_trying, name="token-check", daemon=True)
    thread.start()
    return thread


def check_token(client: WebClient, identity: Identity) -> bool:
    """Log one line: connected, the token refused, or Slack unreachable for now; True when settled."""
    try:
        answer = client.auth_test()
    except SlackApiError as refused:
        error = refused.response.get("error", "unknown_error")
        if error in REFUSED_TOKEN:
            log.error("Slack refused SLACK_BOT_TOKEN (%s): set a valid bot token and restart the bot", error)
            return True
        log.warning("Slack's auth.test answered %s; the bot keeps serving and will ask again", error)
        return False
    except (OSError, SlackClientError) as unreachable:
        log.warning("Slack is unreachable for now (%s); the bot keeps serving and will retry",
                    type(unreachable).__name__)
        return False
    identity.user_id, identity.bot_id = answer.get("user_id"), answer.get("bot_id")
    identity.team_id = answer.get("team_id") or None
    for then in identity.when_known if identity.team_id else ():
        try:
            then(identity.team_id)
        except Exception:   # the database away, say: the next start tries again
            log.exception("could not finish setting up for team %s", identity.team_id)
    identity.known.set()
    log.info("connected to Slack as %s in team %s", answer.get("user_id"), answer.get("team_id"))
    return True
