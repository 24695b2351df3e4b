"""TAT Coalition Bot: the composition root. Reads settings, builds the app, runs a verb.

    python bot.py [serve]   run the bot: Socket Mode if SLACK_APP_TOKEN is set, else HTTP on PORT
    python bot.py shell     try the bot locally, with no Slack workspace
    python bot.py dispatch  send whatever is due now, once, and exit
"""
import logging
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from dotenv import find_dotenv, load_dotenv
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine

import schedules
from config import Settings, SettingsError, load_settings, require_slack
from domain import places
from handlers import Services, register
from handlers.slack_token import check_token_in_background
from handlers.web import MAX_BODY_BYTES, wsgi_app
from schedules.clock import start_clock
from storage.db import DatabaseUnavailable, engine_for, is_reachable, migrate, session_factory, wait_until_reachable

log = logging.getLogger("tat")


@dataclass(frozen=True)
class Bot:
    app: App
    engine: Engine
    services: Services
    listeners: ThreadPoolExecutor   # runs listeners after Slack has its acknowledgement

    def close(self) -> None:
        """Let work in flight finish, then let go of the database."""
        self.listeners.shutdown(wait=True)
        self.engine.dispose()


def build(settings: Settings, *, process_before_response: bool = False) -> Bot:
    """Migrate the database and wire every listener into a Bolt app."""
    engine = engine_for(settings.database_url)
    wait_until_reachable(engine, settings.database_wait_seconds)
    migrate(engine)
    services = Services(sessions=session_factory(engine), admins=settings.admins)
    client = WebClient(token=settings.bot_token, base_url=settings.api_url, retry_handlers=[
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=3),
    ])
    listeners = ThreadPoolExecutor(max_workers=10, thread_name_prefix="listener")
    app = App(
        client=client, signing_secret=settings.signing_secret or "",
        process_before_response=process_before_response, listener_executor=listeners,
        token_verification_enabled=False,  # checked after start-up instead: Slack may be down now
    )
    register(app, services)
    places.warm_up()  # build the place index now, not inside someone's 3-second Slack request
    if not settings.admins:
        log.warning("TAT_ADMINS is empty: registrations will wait for an approval nobody can give.")
    return Bot(app, engine, services, listeners)


class _TokenIsInTheClient(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN "will be unused" when given a client: it is used, by the client."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_TokenIsInTheClient())


def http_server(bot: Bot, signing_secret: str, host: str, port: int):
    """The production HTTP server (waitress) for POST /slack/events and GET /healthz."""
    from waitress import create_server

    application = wsgi_app(bot.app, healthy=lambda: is_reachable(bot.engine), signing_secret=signing_secret)
    return create_server(
        application, host=host, port=port, threads=8, ident="tat-coalition-bot",
        max_request_body_size=MAX_BODY_BYTES,  # larger bodies get 413 before they are read
        connection_limit=1000, channel_timeout=10, cleanup_interval=2,  # idle sockets cannot starve it
    )


def serve(settings: Settings) -> None:
    """Run until SIGTERM or Ctrl-C: Socket Mode or HTTP, with the follow-up clock."""
    require_slack(settings)
    bot = build(settings)
    check_token_in_background(bot.app.client)
    clock = start_clock(lambda: dispatch_once(bot))
    signal.signal(signal.SIGTERM, _stop)
    try:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("connecting to Slack in Socket Mode")
            handler = SocketModeHandler(bot.app, settings.app_token)
            try:
                handler.start()
            finally:
                handler.close()
        else:
            server = http_server(bot, settings.signing_secret, "0.0.0.0", settings.port)
            log.info("listening on http://0.0.0.0:%s/slack/events", settings.port)
            try:
                server.run()  # returns on SIGTERM, once requests in flight are answered
            finally:
                server.close()
                log.info("stopped")
    except (KeyboardInterrupt, SystemExit):
        log.info("stopping")
    finally:
        clock.shutdown(wait=False)
        bot.close()


def dispatch_once(bot: Bot) -> int:
    return schedules.dispatch(bot.services, bot.app.client)


def _stop(signum, frame):
    raise SystemExit(0)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per tick
    load_dotenv(find_dotenv(usecwd=True))
    verb = argv[0] if argv else "serve"
    try:
        settings = load_settings(os.environ)
        if verb == "serve" and not settings.has_slack_credentials:
            return _no_credentials(settings)
        if verb == "serve":
            serve(settings)
        elif verb == "shell":
            import shell

            shell.run(settings)
        elif verb == "dispatch":
            require_slack(settings)
            bot = build(settings)
            try:
                print(f"sent {dispatch_once(bot)} due message(s)")
            finally:
                bot.close()
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except SettingsError as bad:
        print("The bot cannot start; fix these settings (in the environment or .env):", file=sys.stderr)
        print("\n".join(f"  - {p}" for p in bad.problems), file=sys.stderr)
        return 2
    except DatabaseUnavailable as down:
        print(f"The bot cannot start: {down}", file=sys.stderr)
        return 1
    return 0


def _no_credentials(settings: Settings) -> int:
    """A first run: start the local shell at a terminal; elsewhere say what is missing."""
    if sys.stdin.isatty():
        print("No Slack credentials are set (SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or "
              "SLACK_APP_TOKEN), so here is the local shell instead. See README.md to connect Slack.\n")
        import shell

        shell.run(settings)
        return 0
    require_slack(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
