"""A sent message's picture (a follow-up post's chart) goes into that message's thread as a file.

An image block may show only a file shared where it is posted: one uploaded with no channel is
refused (`invalid slack file`: slackapi/bolt-python#1251, python-slack-sdk#1658 and #1521). So the
picture takes the path Slack documents: files.getUploadURLExternal, the bytes, then
files.completeUploadExternal with the channel and the post's `thread_ts`. It is owed once the post
is sent, as an outbox message of its own keyed by the post's key, and delivered exactly once like
any message: the file's name carries a tag of that key, so a try whose outcome is unknown is
looked for in the thread before the picture is uploaded again, and a file that was never shared
is deleted at once, so that no retry leaves an orphan behind.
"""
import hashlib
import logging
import urllib.request
from datetime import datetime

from slack_sdk.errors import SlackApiError, SlackClientError

from domain.notices import PictureOf
from storage import outbox

log = logging.getLogger(__name__)
METHOD = PictureOf.method   # the outbox's name for the three calls below
METHODS = ("files.getUploadURLExternal", "files.completeUploadExternal")


def owed(message: outbox.Claimed, content: dict, channel: str, ts: str, at: datetime) -> dict | None:
    """The outbox row of the picture a message just sent (at `at`) carries; None when it carries none."""
    if content.get("picture") is None or message.method == METHOD:
        return None
    notice = PictureOf(message.key, message.kind, message.params or {}, channel, ts)
    return outbox.row(notice.key, notice.channel, team_id=message.team_id, kind=notice.kind, params=notice.params(),
                      method=notice.method,
                      ts=notice.ts, not_before=at)


def upload(client, message: outbox.Claimed, picture) -> None:
    """Share the picture in the post's thread. When sharing fails, a file Slack shared all the same is
    kept (the send is done); any other is deleted before the error goes on, to be tried again."""
    data = picture.draw()
    got = client.files_getUploadURLExternal(filename=filename(picture, message.key), length=len(data),
                                            alt_txt=picture.alt_text)
    try:
        _send_bytes(got["upload_url"], data, client)
        client.files_completeUploadExternal(files=[{"id": got["file_id"], "title": picture.title}],
                                            channel_id=message.channel, thread_ts=message.ts)
    except (SlackApiError, SlackClientError, OSError):
        if _shared_anyway(client, message, picture):
            return
        _delete(client, got["file_id"])
        raise


def shared_before(client, message: outbox.Claimed, picture) -> bool:
    """Whether the post's thread already holds this picture (an earlier try's outcome was unknown)."""
    tag, cursor = _tag(message.key), None
    for _ in range(10):
        page = client.conversations_replies(channel=message.channel, ts=message.ts, limit=200, cursor=cursor)
        if any(tag in str(f.get("name")) for m in page.get("messages", []) for f in m.get("files") or []):
            return True
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not page.get("has_more") or not cursor:
            return False
    return False


def filename(picture, key: str) -> str:
    """'tat-progress-NE.png' → 'tat-progress-NE-<tag of the key>.png'."""
    stem, dot, extension = picture.filename.rpartition(".")
    return f"{stem}{_tag(key)}.{extension}" if dot else picture.filename + _tag(key)


def _tag(key: str) -> str:
    return "-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _shared_anyway(client, message: outbox.Claimed, picture) -> bool:
    try:
        return shared_before(client, message, picture)
    except (SlackApiError, SlackClientError, OSError):
        return False


def _send_bytes(url: str, data: bytes, client) -> None:
    """Step two of Slack's upload: the bytes, as they are, to the URL files.getUploadURLExternal gave."""
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(request, timeout=client.timeout, context=client.ssl) as answered:
        answered.read()


def _delete(client, file_id: str) -> None:
    try:
        client.files_delete(file=file_id)
    except (SlackApiError, SlackClientError, OSError) as failed:
        log.warning("an unshared upload (%s) could not be deleted: %s", file_id, type(failed).__name__)
