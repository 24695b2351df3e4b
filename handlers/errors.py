"""The one place an unexpected error is logged, with its traceback, and the person told."""
import logging

log = logging.getLogger("tat")

SORRY = "Sorry, something went wrong on our side and nothing was saved. Please try again in a minute."


def on_error(error, body, respond, logger):
    """Log the failure; tell the person privately if Slack gave us a way to answer."""
    log.error("unhandled error for %s", _describe(body), exc_info=error)
    if body.get("response_url"):
        try:
            respond(text=SORRY, response_type="ephemeral", replace_original=False)
        except Exception:
            log.exception("could not tell the person about the error")


def _describe(body: dict) -> str:
    kind = body.get("type") or ("command " + body.get("command", "?"))
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    return f"{kind} from {user}"
