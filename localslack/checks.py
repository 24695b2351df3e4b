"""The kinds of check the rules table (localslack/rules.py) applies, each saying what is wrong as Slack's
own errors say it ("must be less than 3001 characters")."""
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block


@dataclass(frozen=True)
class Found:
    pointer: str     # a JSON pointer, as Slack's errors give it: /blocks/0/text/text
    value: object


@dataclass(frozen=True)
class Context:
    """What a check may need beyond the payload: where it is posted, the files visible there, and for
    a view_submission's answer the view that was submitted."""

    conversation: str = ""
    visible: Callable[[str, str], bool] = field(default=lambda file_id, conversation: True)
    submitted: dict | None = None


Problems = list[tuple[str, str]]


@dataclass(frozen=True)
class Chars:
    most: int
    least: int = 0

    def __call__(self, found: list[Found], node: Found, name: str, context: Context) -> Problems:
        texts = [f for f in found if isinstance(f.value, str)]
        return ([(f.pointer, f"must be less than {self.most + 1} characters") for f in texts
                 if len(f.value) > self.most]
                + [(f.pointer, f"must be more than {self.least - 1} characters") for f in texts
                   if len(f.value) < self.least])

    def __str__(self) -> str:
        return f"{self.least} to {self.most} characters" if self.least else f"at most {self.most} characters"


@dataclass(frozen=True)
class Items:
    most: int

    def __call__(self, found: list[Found], node: Found, name: str, context: Context) -> Problems:
        return [(f.pointer, f"no more than {self.most} items allowed") for f in found
                if isinstance(f.value, list) and len(f.value) > self.most]

    def __str__(self) -> str:
        return f"at most {self.most} items"


@dataclass(frozen=True)
class Range:
    least: int
    most: int

    def __call__(self, found: list[Found], node: Found, name: str, context: Context) -> Problems:
        return [(f.pointer, f"must be between {self.least} and {self.most}") for f in found
                if not isinstance(f.value, int) or not self.least <= f.value <= self.most]

    def __str__(self) -> str:
        return f"a number from {self.least} to {self.most}"


@dataclass(frozen=True)
class PlainText:
    def __call__(self, found: list[Found], node: Found, name: str, context: Context) -> Problems:
        return [(f.pointer, "must be a plain_text text object") for f in found
                if not isinstance(f.value, dict) or f.value.get("type") != "plain_text"]

    def __str__(self) -> str:
        return "plain_text only"


@dataclass(frozen=True)
class Unique:
    what: str

    def __call__(self, found: list[Found], node: Found, name: str, context: Context) -> Problems:
        seen, problems = set(), []
        for f in found:
            if f.value in seen:
                problems.append((f.pointer, f'`{self.what}` "{f.value}" already exists'))
            seen.add(f.value)
        return problems

    def __str__(self) -> str:
        return f"each {self.what} once"


@dataclass(frozen=True)
class FallbackText:
    """A message with blocks carries a top-level `text` too (notifications, screen readers)."""

    def __call__(self, found: list[Found], node: Found, name: str, context: Context) -> Problems:
        message = node.value if isinstance(node.value, dict) else {}
        if message.get("blocks") and not any(isinstance(f.value, str) and f.value.strip() for f in found):
            return [(node.pointer + "/text", "the top-level `text` argument is missing beside `blocks`")]
        return []

    def __str__(self) -> str:
        return "a top-level text beside blocks"


@dataclass(frozen=True)
class SubmitWithInputs:
    def __call__(self, found: list[Found], node: Found, name: str, context: Context) -> Problems:
        view = node.value if isinstance(node.value, dict) else {}
        inputs = [i for i, b in enumerate(view.get("blocks") or []) if isinstance(b, dict) and b.get("type") == "input"]
        if inputs and not view.get("submit"):
            return [(f"{node.pointer}/blocks/{inputs[0]}", "must define submit to use input block")]
        return []

    def __str__(self) -> str:
        return "a submit button whenever there is an input block"


@dataclass(frozen=True)
class InputBlocksOnly:
    """A view_submission's errors name input blocks of the view that was submitted, by block_id."""

    def __call__(self, found: list[Found], node: Found, name: str, context: Context) -> Problems:
        blocks = (context.submitted or {}).get("blocks") or []
        inputs = {b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("type") == "input"}
        return [(f.pointer, f'"{f.pointer.rsplit("/", 1)[-1]}" is not an input block of the submitted view')
                for f in found if f.pointer.rsplit("/", 1)[-1] not in inputs]

    def __str__(self) -> str:
        return "errors only for the submitted view's input blocks"


@dataclass(frozen=True)
class SharedInConversation:
    """An image block shows a Slack file only where the file is visible (shared in that conversation)."""

    def __call__(self, found: list[Found], node: Found, name: str, context: Context) -> Problems:
        return [(f.pointer, "invalid slack file") for f in found
                if not isinstance(f.value, dict) or not context.visible(str(f.value.get("id")), context.conversation)]

    def __str__(self) -> str:
        return "a file shared in the conversation it is shown in"


@dataclass(frozen=True)
class BlocksKnownToSlackSdk:
    """slack_sdk's Block Kit models accept the block (`Block.parse`, then `validate_json` throughout)."""

    def __call__(self, found: list[Found], node: Found, name: str, context: Context) -> Problems:
        block = node.value
        if not isinstance(block, dict) or block.get("type") not in known_block_types():
            return [(node.pointer, f"unsupported type: {block.get('type') if isinstance(block, dict) else block!r}")]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                Block.parse(block).to_dict()
        except (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError) as wrong:
            return [(node.pointer, f"slack_sdk: {wrong}")]
        return []

    def __str__(self) -> str:
        return "what slack_sdk.models.blocks accepts (Block.parse, to_dict: validate_json throughout)"


@cache
def known_block_types() -> frozenset[str]:
    """The block types slack_sdk models (every subclass of Block that names its type)."""
    found, waiting = set(), [Block]
    while waiting:
        kind = waiting.pop()
        waiting.extend(kind.__subclasses__())
        if isinstance(getattr(kind, "type", None), str):
            found.add(kind.type)
    return frozenset(found)
