"""TAT Coalition Bot: the composition root. Reads settings, builds the app, runs a verb.

    python bot.py [serve]   run the bot: Socket Mode if SLACK_APP_TOKEN is set, else HTTP on PORT
    python bot.py shell     try the bot locally, with no Slack workspace
    python bot.py dispatch  send whatever is due now, once, and exit
    python bot.py import FILE.csv [--approved] [--meeting]   import a meeting's list (see datafiles.py)
    python bot.py export [--state XX] [--team T] [-o FILE]   the coalition CSV, to a file or standard output
"""
import gc

gc.disable()  # while the modules load: the ~85,000 objects they make live as long as the process
import logging
import os
import signal
import sys
from dataclasses import dataclass

from dotenv import find_dotenv, load_dotenv
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import Engine

import schedules
from config import Settings, SettingsError, load_settings, require_slack
from domain import places
from domain.registration import offer_waiting
from handlers import Services, notices, register
from handlers.later import Later
from handlers.slack_token import Identity, check_token_in_background
from handlers.web import MAX_BODY_BYTES, wsgi_app
from schedules.clock import start_clock
from schedules.delivery import Recipients, Sender
from storage.db import (
    DatabaseUnavailable,
    SchemaWatch,
    engine_for,
    migrate,
    session_factory,
    wait_until_reachable,
)
from storage.directory_watch import start_watching, stop_watching
from storage.models import now

gc.freeze()  # so the collector never walks them, during the imports (~40 ms) or after
gc.enable()

log = logging.getLogger("tat")


@dataclass(frozen=True)
class Bot:
    app: App
    engine: Engine
    services: Services
    later: Later      # Slack calls listeners make after the acknowledgement
    sender: Sender    # delivers the outbox, on threads of its own
    identity: Identity  # who the bot is to Slack, once auth.test has said

    def start(self) -> "Bot":
        self.sender.start()
        start_watching(self.engine)   # PostgreSQL: hear the directory's changes (lookups ask less)
        return self

    def close(self) -> None:
        """Let work in flight finish, then let go of the database."""
        self.later.shutdown()
        self.sender.stop()
        stop_watching(self.engine)
        self.engine.dispose()


def build(settings: Settings, *, clock=None) -> Bot:
    """Migrate the database and wire every listener into a Bolt app; nothing is started yet."""
    engine = engine_for(settings.database_url)
    wait_until_reachable(engine, settings.database_wait_seconds)
    migrate(engine)
    later = Later()
    services = Services(session_factory(engine), settings.admins, later, clock or now)
    # Listeners' calls never retry or sleep (views.open must beat its trigger's 3 seconds); the
    # sender handles Slack's 429 and 5xx itself, by rescheduling.
    listeners_client = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=3, retry_handlers=[])
    sender_client = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10, retry_handlers=[])
    sender = Sender(services.sessions, sender_client, notices.render, clock=services.clock,
                    recipients=Recipients(notices.CHECK_RECIPIENT, notices.recipient_gone(settings.admins)))
    identity = Identity(settings.bot_token)   # auth.test is asked after start-up: Slack may be down now
    app = App(client=listeners_client, signing_secret=settings.signing_secret or "", process_before_response=True,
              authorize=identity.authorizer(),
              name="bot.py")  # what Bolt would find by inspect.stack(), which reads every frame's source: 25 ms
    register(app, services)
    places.warm_up()  # build the place index now, not inside someone's 3-second Slack request
    gc.freeze()       # and keep the collector from walking its million objects again and again
    if not settings.admins:
        log.warning("TAT_ADMINS is empty: registrations will wait for an approval nobody can give.")
    with services.sessions.begin() as session:   # a registration made while no admin was configured
        offer_waiting(session, settings.admins)
    return Bot(app, engine, services, later, sender, identity)


class _TokenIsInTheClient(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN "will be unused"/"ignored" when given a client and an authorize
    function: it is used, by both."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "`token` will be unused" not in message and "will be ignored" not in message


logging.getLogger("slack_bolt.App").addFilter(_TokenIsInTheClient())


def http_server(bot: Bot, signing_secret: str, host: str, port: int, connections: int | None = None,
                schema: SchemaWatch | None = None):
    """The production HTTP server (waitress, polled) for POST /slack/events and GET /healthz (200 while the
    database answers at the newest migration); it holds at most `connections` open (default CONNECTIONS,
    fewer if the process has too few descriptors)."""
    from handlers.http_server import CONNECTIONS, BoundedServer, connection_limit  # waitress: HTTP mode only

    healthy = (schema or SchemaWatch(bot.engine)).is_current
    application = wsgi_app(bot.app, healthy=healthy, signing_secret=signing_secret)
    return BoundedServer(
        application, connection_limit(connections or CONNECTIONS), host=host, port=port, threads=8,
        ident="tat-coalition-bot",
        max_request_body_size=MAX_BODY_BYTES + 1,  # larger bodies get 413 before they are read (waitress: >=)
        channel_timeout=10, cleanup_interval=2,  # idle sockets are closed after 10 s, and first when it is full
    )


def serve(settings: Settings) -> None:
    """Run until SIGTERM or Ctrl-C: Socket Mode or HTTP, with the follow-up clock."""
    require_slack(settings)
    bot, clock = build(settings), None
    schema = SchemaWatch(bot.engine)   # the health check and the clock both notice a schema gone or behind
    signal.signal(signal.SIGTERM, _stop)   # before anything starts: a send in flight is let finish
    try:
        bot.start()
        check_token_in_background(bot.app.client, bot.identity)
        clock = start_clock(lambda: schema.is_current() and schedules.tick(bot.services, bot.sender))
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("connecting to Slack in Socket Mode")
            handler = SocketModeHandler(bot.app, settings.app_token)
            try:
                handler.start()
            finally:
                handler.close()
        else:
            server = http_server(bot, settings.signing_secret, "0.0.0.0", settings.port, schema=schema)
            log.info("listening on http://0.0.0.0:%s/slack/events", settings.port)
            try:
                server.run()  # returns on SIGTERM, once requests in flight are answered
            finally:
                server.close()
                log.info("stopped")
    except (KeyboardInterrupt, SystemExit):
        log.info("stopping")
    finally:
        if clock is not None:
            clock.shutdown(wait=False)
        bot.close()


def dispatch_once(bot: Bot) -> int:
    """Decide what is due and send it, once, in this thread; how many messages Slack took."""
    return schedules.dispatch(bot.services, bot.sender)


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
        elif verb in ("import", "export"):
            return data_verb(settings, verb, argv[1:])
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


def data_verb(settings: Settings, verb: str, args: list[str]) -> int:
    """`import` and `export`: the arguments first (so --help touches nothing), then the database
    (migrated) when the verb needs it, and Slack when a bot token is set."""
    import datafiles

    engines: list[Engine] = []

    def sessions():
        engine = engine_for(settings.database_url)
        engines.append(engine)
        wait_until_reachable(engine, settings.database_wait_seconds)
        migrate(engine)
        return session_factory(engine)

    client = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=30) if settings.bot_token else None
    try:
        return (datafiles.import_verb if verb == "import" else datafiles.export_verb)(args, sessions, client)
    finally:
        for engine in engines:
            engine.dispose()


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
