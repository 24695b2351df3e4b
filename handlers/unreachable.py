"""Work a person asked for that needs Slack after the acknowledgement (a form to open, a file to
upload): when Slack cannot be reached or refuses it, the person is told so, privately, through the
command's response_url, instead of seeing nothing."""
import logging
from collections.abc import Callable

from slack_sdk.errors import SlackApiError, SlackClientError

from domain.chart_worker import ChartUnavailable

log = logging.getLogger(__name__)


def telling(respond, work: Callable[[], object], what: str) -> Callable[[], None]:
    """`work`, and if Slack fails it, a private message that `what` (say "open the form") failed."""
    def run() -> None:
        try:
            work()
        except (SlackApiError, SlackClientError, OSError) as failed:
            reason = failed.response.get("error") if isinstance(failed, SlackApiError) else type(failed).__name__
            log.warning("could not %s (%s); told the person", what, reason)
            respond(response_type="ephemeral", replace_original=False,
                    text=f"Sorry, I could not {what}: Slack could not be reached or refused it ({reason}). "
                         "Please try again in a minute.")
        except ChartUnavailable as failed:
            log.warning("could not %s (%s); told the person", what, failed)
            respond(response_type="ephemeral", replace_original=False,
                    text=f"Sorry, I could not {what}: the chart could not be drawn. Please try again in a minute.")

    run.__name__ = f"then {what}"
    return run
