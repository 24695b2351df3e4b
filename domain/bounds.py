"""How much typed text is read. Every parser refuses text longer than its bound before it reads a
character of it, so no input costs more than a bounded amount of work; echoes of it stay short."""
import re
from collections.abc import Mapping

COMMAND_TEXT = 4000    # a slash command's text (Slack sends no more)
FORM_TEXT = 3000       # the longest plain_text_input Slack offers
MESSAGE_TEXT = 40000   # the longest message text Slack delivers
ECHO = 60              # characters of someone's text repeated back to them
MAX_ID = 2**31 - 1     # PostgreSQL's integer: a larger number names no row (and would fail the query)
USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")      # a Slack person's id, as Slack's pickers hand it over
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,20}")   # a public or private channel's


def is_user_id(value: object) -> bool:
    return isinstance(value, str) and USER_ID.fullmatch(value) is not None


def is_channel_id(value: object) -> bool:
    return isinstance(value, str) and CHANNEL_ID.fullmatch(value) is not None


def longer_than(values: Mapping[str, object], limits: Mapping[str, int]) -> dict[str, str]:
    """A sentence for each field whose text is longer than its limit."""
    return {field: f"Please keep this to {limit:,} characters or fewer."
            for field, limit in limits.items() if isinstance(values.get(field), str) and len(values[field]) > limit}


def ids_in(value: object, count: int) -> tuple[int, ...] | None:
    """The `count` row ids and numbers a button's value carries ("12:3"), each a whole number from 0 to
    MAX_ID; None when it carries anything else."""
    text = str(value or "")
    parts = text.split(":") if len(text) <= 12 * count else []
    if len(parts) != count or not all(p.isascii() and p.isdigit() and len(p) <= 10 for p in parts):
        return None
    numbers = tuple(int(p) for p in parts)
    return numbers if max(numbers) <= MAX_ID else None


def echoed(text: str, limit: int = ECHO) -> str:
    """Typed text as it is repeated back: its first characters, and "…" if there were more."""
    return text if len(text) <= limit else text[:limit - 1] + "…"
