"""What real Slack accepts from an app: every rule the stand-in enforces, in one table, each with the
page of Slack's documentation that states it. `localslack.strict` walks a payload and applies them.

A rule's `at` is `<node>.<field>`. A node is a surface (`message`: a Web API message, a response_url
post or a command's answer; `modal`; `home`; `errors`: a view_submission's `response_action: errors`
answer), a block type or element type (`block`, `element`: any), an `option`, a `confirm` dialog or a
`text` object.
In the field, `x[]` is each item of the list `x`, and `*` each key of an object.
"""
from dataclasses import dataclass

from localslack.checks import (
    BlocksKnownToSlackSdk,
    Chars,
    FallbackText,
    InputBlocksOnly,
    Items,
    PlainText,
    Range,
    SharedInConversation,
    SubmitWithInputs,
    Unique,
)

REFERENCE = "https://docs.slack.dev/reference/"
BLOCKS = REFERENCE + "block-kit/blocks"            # "up to 50 blocks in each message, and 100 in modals or Home tabs"
SECTION = BLOCKS + "/section-block"
HEADER = BLOCKS + "/header-block"
CONTEXT = BLOCKS + "/context-block"
ACTIONS = BLOCKS + "/actions-block"
INPUT = BLOCKS + "/input-block"
IMAGE = BLOCKS + "/image-block"
ELEMENTS = REFERENCE + "block-kit/block-elements"
BUTTON = ELEMENTS + "/button-element"
SELECT = ELEMENTS + "/select-menu-element"
OVERFLOW = ELEMENTS + "/overflow-menu-element"
TEXT_INPUT = ELEMENTS + "/plain-text-input-element"
OBJECTS = REFERENCE + "block-kit/composition-objects"
OPTION = OBJECTS + "/option-object"
CONFIRM = OBJECTS + "/confirmation-dialog-object"
TEXT = OBJECTS + "/text-object"                       # "The minimum length is 1 and maximum length is 3000"
SLACK_FILE = OBJECTS + "/slack-file-object"          # "the user posting these blocks must have access to this file"
MODAL = REFERENCE + "views/modal-views"
HOME = REFERENCE + "views/home-tab-views"
MODAL_ERRORS = "https://docs.slack.dev/surfaces/modals"  # response_action errors: keyed by input blocks' block_id
POST_MESSAGE = REFERENCE + "methods/chat.postMessage"   # text: the fallback "we highly recommend" beside blocks
TRUNCATING = "https://api.slack.com/changelog/2018-04-truncating-really-long-messages"   # 40,000 characters


@dataclass(frozen=True)
class Rule:
    at: str
    check: object
    doc: str
    error: str | None = None   # what Slack answers (default: invalid_blocks for messages, invalid_arguments for views)
    warns: bool = False        # Slack takes it with a warning; the project's rule refuses it all the same

    @property
    def node(self) -> str:
        return self.at.partition(".")[0]

    @property
    def field(self) -> str:
        return self.at.partition(".")[2]

    def __str__(self) -> str:
        return f"{self.at}: {self.check} ({self.doc})"


SURFACE_RULES = (
    Rule("message.blocks", Items(50), BLOCKS),
    Rule("message.blocks[].block_id", Unique("block_id"), SECTION),   # "unique for each message"
    Rule("message.text", Chars(40_000), TRUNCATING, error="msg_too_long"),
    Rule("message.text", FallbackText(), POST_MESSAGE, warns=True),
    Rule("modal.blocks", Items(100), MODAL),
    Rule("modal.blocks[].block_id", Unique("block_id"), INPUT),       # "unique for each message or view"
    Rule("modal.title", PlainText(), MODAL),
    Rule("modal.title.text", Chars(24, least=1), MODAL),
    Rule("modal.submit", PlainText(), MODAL),
    Rule("modal.submit.text", Chars(24, least=1), MODAL),
    Rule("modal.close", PlainText(), MODAL),
    Rule("modal.close.text", Chars(24, least=1), MODAL),
    Rule("modal", SubmitWithInputs(), MODAL),                        # "submit is required when an input block..."
    Rule("modal.private_metadata", Chars(3000), MODAL),
    Rule("modal.callback_id", Chars(255), MODAL),
    Rule("home.blocks", Items(100), HOME),
    Rule("home.blocks[].block_id", Unique("block_id"), INPUT),
    Rule("home.private_metadata", Chars(3000), HOME),
    Rule("home.callback_id", Chars(255), HOME),
    Rule("errors.*", InputBlocksOnly(), MODAL_ERRORS),
)

BLOCK_RULES = (
    Rule("block", BlocksKnownToSlackSdk(), BLOCKS),                  # slack_sdk.models.blocks, validate_json
    Rule("block.block_id", Chars(255), SECTION),
    Rule("section.text.text", Chars(3000, least=1), SECTION),
    Rule("section.fields", Items(10), SECTION),
    Rule("section.fields[].text", Chars(2000, least=1), SECTION),
    Rule("header.text", PlainText(), HEADER),
    Rule("header.text.text", Chars(150, least=1), HEADER),
    Rule("context.elements", Items(10), CONTEXT),
    Rule("actions.elements", Items(25), ACTIONS),
    Rule("actions.elements[].action_id", Unique("action_id"), BUTTON),   # "unique among ... the containing block"
    Rule("input.label", PlainText(), INPUT),
    Rule("input.label.text", Chars(2000, least=1), INPUT),
    Rule("input.hint", PlainText(), INPUT),
    Rule("input.hint.text", Chars(2000, least=1), INPUT),
    Rule("image.alt_text", Chars(2000, least=1), IMAGE),
    Rule("image.title", PlainText(), IMAGE),
    Rule("image.title.text", Chars(2000), IMAGE),
    Rule("image.image_url", Chars(3000), IMAGE),
    Rule("image.slack_file", SharedInConversation(), SLACK_FILE),   # uploaded with no channel: refused
)

ELEMENT_RULES = (
    Rule("element.action_id", Chars(255), BUTTON),
    Rule("element.placeholder", PlainText(), SELECT),
    Rule("element.placeholder.text", Chars(150), SELECT),            # the same on every input element's page
    Rule("button.text", PlainText(), BUTTON),
    Rule("button.text.text", Chars(75, least=1), BUTTON),
    Rule("button.value", Chars(2000), BUTTON),
    Rule("button.url", Chars(3000), BUTTON),
    Rule("static_select.options", Items(100), SELECT),
    Rule("static_select.option_groups", Items(100), SELECT),
    Rule("multi_static_select.options", Items(100), SELECT),
    Rule("overflow.options", Items(5), OVERFLOW),                    # "an array of up to five option objects"
    Rule("plain_text_input.max_length", Range(1, 3000), TEXT_INPUT),
    Rule("plain_text_input.min_length", Range(0, 3000), TEXT_INPUT),
    Rule("text.text", Chars(3000, least=1), TEXT),                    # every text object, wherever it is
    Rule("option.text.text", Chars(75, least=1), OPTION),
    Rule("option.value", Chars(150), OPTION),
    Rule("option.description.text", Chars(75), OPTION),
    Rule("confirm.title", PlainText(), CONFIRM),
    Rule("confirm.title.text", Chars(100, least=1), CONFIRM),
    Rule("confirm.text.text", Chars(300, least=1), CONFIRM),
    Rule("confirm.confirm", PlainText(), CONFIRM),
    Rule("confirm.confirm.text", Chars(30, least=1), CONFIRM),
    Rule("confirm.deny", PlainText(), CONFIRM),
    Rule("confirm.deny.text", Chars(30, least=1), CONFIRM),
)

RULES = SURFACE_RULES + BLOCK_RULES + ELEMENT_RULES


def rules_for(node: str) -> list[Rule]:
    """The rules of one kind of node ('section', 'button', 'modal', ...)."""
    return _BY_NODE.get(node, [])


_BY_NODE: dict[str, list[Rule]] = {}
for _rule in RULES:
    _BY_NODE.setdefault(_rule.node, []).append(_rule)
