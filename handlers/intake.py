"""What every request must be before any listener reads it, checked in one middleware: its typed
text no longer than Slack itself lets a person type. A refusal is a polite 200, never an HTTP error."""
import json

from slack_bolt import BoltResponse

from domain.bounds import COMMAND_TEXT, FORM_TEXT, longer_than

TEXT_INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input")


def bounded_text(body: dict, next):
    """A Bolt middleware: a command's text or a form's typed answers past their bounds are refused."""
    if "command" in body and len(text := str(body.get("text") or "")) > COMMAND_TEXT:
        return _json({"response_type": "ephemeral",
                      "text": f"That is {len(text):,} characters: more than any command of mine reads "
                              f"({COMMAND_TEXT:,} at most). Nothing was done; `/tat help` lists the commands."})
    if body.get("type") == "view_submission" and (errors := too_long_answers(_dict(body.get("view")))):
        return _json({"response_action": "errors", "errors": errors})
    return next()


def too_long_answers(view: dict) -> dict[str, str]:
    """An error for each text input of a submitted form whose answer is longer than the form allows
    (read with care: nothing about the payload's shape is taken for granted here)."""
    limits, answers = {}, {}
    values = _dict(_dict(view.get("state")).get("values"))
    for block in view.get("blocks") if isinstance(view.get("blocks"), list) else []:
        element = _dict(_dict(block).get("element"))
        if _dict(block).get("type") == "input" and element.get("type") in TEXT_INPUTS:
            block_id, most = str(block.get("block_id")), element.get("max_length")
            limits[block_id] = min(most, FORM_TEXT) if isinstance(most, int) else FORM_TEXT
            answers[block_id] = _dict(_dict(values.get(block_id)).get(str(element.get("action_id")))).get("value")
    return longer_than(answers, limits)


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _json(answer: dict) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(answer), headers={"content-type": "application/json;charset=utf-8"})
