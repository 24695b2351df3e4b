"""TAT Coalition Bot: the composition root. Reads settings, builds the app, runs a verb.

    python bot.py [serve]   run the bot: Socket Mode if SLACK_APP_TOKEN is set, else HTTP on HOST:PORT
    python bot.py check     check the settings, the database, the token and its scopes, admins, channels
    python bot.py shell     try the bot locally, with no Slack workspace
    python bot.py dispatch  send whatever is due now, once, and exit
    python bot.py migrate [--team T...]   bring the database up to date; rows of before workspaces
                            were told apart become the workspace's (--team, else the token's)
    python bot.py import FILE.csv [--approved] [--meeting]   import a meeting's list (see datafiles.py)
    python bot.py export [--state XX] [--team T] [-o FILE]   the coalition CSV, to a file or standard output

Settings come from the environment and from .env in the current directory, or from the file
named by `--env-file PATH` (before the verb) or TAT_ENV_FILE. `python bot.py VERB --help` for more.
"""
import gc

gc.disable()  # while the modules load: the ~85,000 objects they make live as long as the process
import logging
import os
import re
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from dotenv import find_dotenv, load_dotenv
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Engine

import logs
import metrics
import schedules
from config import Settings, SettingsError, load_settings, require_slack
from domain import chart_worker, places
from domain.registration import offer_waiting
from faults import explained
from handlers import Services, notices, register
from handlers.later import Later
from handlers.slack_token import REFUSED_TOKEN, Identity, check_token, check_token_in_background
from handlers.web import MAX_BODY_BYTES, AnsweringSlack, wsgi_app
from schedules.clock import start_clock
from schedules.delivery import Recipients, Sender
from storage import health
from storage.db import (
    SchemaWatch,
    engine_for,
    keep_clock,
    migrate,
    session_factory,
    wait_until_reachable,
)
from storage.directory_watch import start_watching, stop_watching
from storage.models import now
from storage.workspaces import adopt

gc.freeze()  # so the collector never walks them, during the imports (~40 ms) or after
gc.enable()

log = logging.getLogger("tat")
TEAM_ID = re.compile(r"^[TE][A-Z0-9]{2,31}$")


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
    identity = Identity(settings.bot_token)   # auth.test is asked after start-up: Slack may be down now
    services = Services(session_factory(engine), settings.admins, later, clock or now, home=lambda: identity.team_id)
    keep_clock(services.sessions, services.clock)   # what the database is told happened when: the same clock
    # Listeners' calls never retry or sleep (views.open must beat its trigger's 3 seconds); the
    # sender handles Slack's 429 and 5xx itself, by rescheduling. It sends only the messages of the
    # token's workspace (once auth.test has named it), with that token.
    listeners_client = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=3, retry_handlers=[])
    sender_client = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10, retry_handlers=[])
    sender = Sender(services.sessions, sender_client, notices.render, clock=services.clock, kinds=notices.KINDS,
                    teams=identity.teams,
                    recipients=Recipients(notices.CHECK_RECIPIENT, notices.recipient_gone(settings.admins)))
    identity.when_known.append(lambda team: _settle_in(engine, services, sender, team))
    app = App(client=listeners_client, signing_secret=settings.signing_secret or "", process_before_response=True,
              authorize=identity.authorizer(),
              name="bot.py")  # what Bolt would find by inspect.stack(), which reads every frame's source: 25 ms
    register(app, services, identity)
    places.warm_up()  # build the place index now, not inside someone's 3-second Slack request
    gc.freeze()       # and keep the collector from walking its million objects again and again
    if not settings.admins:
        log.warning("TAT_ADMINS is empty: registrations will wait for an approval nobody can give.")
    return Bot(app, engine, services, later, sender, identity)


def _settle_in(engine: Engine, services: Services, sender: Sender, team: str) -> None:
    """auth.test named the token's workspace: rows made before workspaces were told apart become its
    own, and its registrations made while no admin was configured reach TAT_ADMINS."""
    adopt(engine, team)
    with services.sessions.begin() as session:
        offer_waiting(session, team, services.admins)
    sender.wake()


class _TokenIsInTheClient(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN "will be unused"/"ignored" when given a client and an authorize
    function: it is used, by both."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "`token` will be unused" not in message and "will be ignored" not in message


logging.getLogger("slack_bolt.App").addFilter(_TokenIsInTheClient())


def http_server(bot: Bot, signing_secret: str, host: str, port: int, connections: int | None = None,
                schema: SchemaWatch | None = None, *, serve_metrics: bool = False):
    """The production HTTP server (waitress, polled) for POST /slack/events and GET /healthz (200 while the
    database answers at the newest migration), and GET /metrics with `serve_metrics`; it holds at most
    `connections` open (default CONNECTIONS, fewer if the process has too few descriptors)."""
    from handlers.http_server import CONNECTIONS, BoundedServer, connection_limit  # waitress: HTTP mode only

    healthy = (schema or SchemaWatch(bot.engine)).is_current
    application = wsgi_app(bot.app, healthy=healthy, signing_secret=signing_secret)
    application = metrics.measured(application, bot.app, serve_metrics)
    metrics.read_figures_with(lambda: health.outbox_figures(bot.engine))
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
        chart_worker.start()   # matplotlib loads in its own process while the first requests are answered
        check_token_in_background(bot.app.client, bot.identity)
        clock = start_clock(lambda: schema.is_current() and schedules.tick(bot.services, bot.sender))
        if settings.socket_mode:
            socket_mode(bot, settings.app_token)
        else:
            server = http_server(bot, settings.signing_secret, settings.host, settings.port, schema=schema,
                                 serve_metrics=settings.metrics)
            log.info("listening on http://%s:%s/slack/events", settings.host, settings.port)
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
        bot.later.drop_waiting()   # what waits after acknowledgements is dropped; messages owed stay owed
        chart_worker.close()       # a chart being drawn may finish within two seconds
        bot.close()


SOCKET_RETRY_SECONDS = 10


def socket_mode(bot: Bot, app_token: str) -> None:
    """Connect to Slack over Socket Mode, trying again while Slack cannot be reached, and serve until
    SIGTERM or Ctrl-C. A token Slack refuses stops it with one sentence."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler, tries = SocketModeHandler(bot.app, app_token), 0
    handler.app = AnsweringSlack(bot.app)   # a lock held elsewhere is waited for a second at most, then "busy"
    try:
        while True:
            log.info("connecting to Slack in Socket Mode")
            try:
                handler.connect()
                break
            except SlackApiError as refused:
                reason = refused.response.get("error")
                if reason in REFUSED_TOKEN:
                    raise SettingsError([f"Slack refused SLACK_APP_TOKEN ({reason}): create an app-level token "
                                         "with connections:write under Basic Information."]) from None
            except (OSError, SlackClientError) as lost:
                reason = type(lost).__name__
            tries += 1
            log.warning("Slack cannot be reached for Socket Mode (%s); trying again in %s s (try %s)", reason,
                        SOCKET_RETRY_SECONDS, tries)
            threading.Event().wait(SOCKET_RETRY_SECONDS)
        log.info("connected to Slack in Socket Mode")
        threading.Event().wait()   # until SIGTERM (SystemExit) or Ctrl-C
    finally:
        handler.close()


def dispatch_once(bot: Bot) -> int:
    """Decide what is due and send it, once, in this thread; how many messages Slack took. The token's
    workspace is learnt first (auth.test), as serving does: its messages are the ones to send."""
    if not bot.identity.known.is_set():
        check_token(bot.app.client, bot.identity)
    return schedules.dispatch(bot.services, bot.sender)


def dispatch(settings: Settings) -> int:
    """`python bot.py dispatch`: Slack asked first, so that an outage is said, not sent into."""
    require_slack(settings)
    WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10).auth_test()
    bot = build(settings)
    try:
        print(f"sent {dispatch_once(bot)} due message(s)")
    finally:
        bot.close()
    return 0


def _stop(signum, frame):
    raise SystemExit(0)


VERBS = {
    "serve": "Run the bot: Socket Mode if SLACK_APP_TOKEN is set, else HTTP on HOST:PORT. Stops on SIGTERM.",
    "check": "Check everything the bot needs, as a checklist with the next step for each failure; "
             "exit status 0 only when all is well.",
    "shell": "Try the bot locally, with no Slack workspace (its data stays in tat-shell.db).",
    "dispatch": "Send whatever is due now, once, and exit (for cron-style deployments).",
    "import": "", "export": "", "migrate": "",   # their arguments are read by their own parsers
}


def main(argv: list[str]) -> int:
    logs.configure()
    argv, env_file = _env_file_option(argv)
    verb = argv[0] if argv else "serve"
    if verb in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    if verb not in VERBS:
        print(__doc__, file=sys.stderr)
        return 2
    if VERBS[verb] and argv[1:]:
        wants_help = bool({"-h", "--help"} & set(argv[1:]))
        print(f"usage: python bot.py {verb}\n\n{VERBS[verb]}" if wants_help else
              f"python bot.py {verb} takes no arguments.", file=sys.stdout if wants_help else sys.stderr)
        return 0 if wants_help else 2
    settings = None
    try:
        _read_env_file(env_file or os.environ.get("TAT_ENV_FILE"))
        settings = load_settings(os.environ)
        logs.configure(settings.log_format)
        return run_verb(verb, settings, argv[1:])
    except SettingsError as bad:
        print("The bot cannot start; fix these settings (in the environment or .env):", file=sys.stderr)
        print("\n".join(f"  - {p}" for p in bad.problems), file=sys.stderr)
        return 2
    except (KeyboardInterrupt, SystemExit) as stopped:
        return stopped.code if isinstance(stopped, SystemExit) and isinstance(stopped.code, int) else 130
    except Exception as fault:
        sentence = explained(fault, settings.api_url if settings else "")
        if sentence is None:
            raise
        print(sentence, file=sys.stderr)
        return 1


def run_verb(verb: str, settings: Settings, args: list[str]) -> int:
    if verb == "serve" and not settings.has_slack_credentials:
        return _no_credentials(settings)
    if verb == "serve":
        serve(settings)
        return 0
    if verb == "shell":
        import shell

        shell.run(settings)
        return 0
    if verb == "check":
        import preflight

        return preflight.run(settings)
    if verb == "dispatch":
        return dispatch(settings)
    if verb == "migrate":
        return migrate_verb(settings, args)
    return data_verb(settings, verb, args)


def migrate_verb(settings: Settings, args: list[str]) -> int:
    """`python bot.py migrate [--team T...]`: migrate the database, and give the rows made before
    workspaces were told apart to the workspace named, or else to the bot token's (auth.test)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python bot.py migrate", description=migrate_verb.__doc__)
    parser.add_argument("--team", help="the Slack workspace (team id, T...) the existing rows belong to; "
                                       "by default the bot token's")
    options = parser.parse_args(args)
    team = options.team
    if team is None and settings.bot_token:
        team = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=30).auth_test()["team_id"]
    if team is not None and not TEAM_ID.match(team):
        print(f"--team takes a Slack team id like T0123ABCD, not {team!r}.", file=sys.stderr)
        return 2
    engine = engine_for(settings.database_url)
    try:
        wait_until_reachable(engine, settings.database_wait_seconds)
        migrate(engine, team)
        if team:
            adopt(engine, team)
    finally:
        engine.dispose()
    print(f"the database is at the newest migration; rows made before workspaces were told apart belong to "
          f"workspace {team}" if team else
          "the database is at the newest migration (no workspace named: rows of before workspaces were told "
          "apart become the token's when the bot starts)")
    return 0


def _env_file_option(argv: list[str]) -> tuple[list[str], str | None]:
    """`--env-file PATH` (or `--env-file=PATH`) before the verb, taken out of the arguments."""
    if argv and argv[0].startswith("--env-file"):
        if "=" in argv[0]:
            return argv[1:], argv[0].partition("=")[2]
        if len(argv) > 1:
            return argv[2:], argv[1]
    return argv, None


def _read_env_file(path: str | None) -> None:
    """Settings from the named file, or from .env in the current directory; the environment wins."""
    if path is None:
        load_dotenv(find_dotenv(usecwd=True))
    elif Path(path).is_file():
        load_dotenv(path)
    else:
        raise SettingsError([f"The settings file {path} (from --env-file or TAT_ENV_FILE) does not exist."])


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
