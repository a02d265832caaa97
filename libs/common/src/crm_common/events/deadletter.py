"""Dead-letter subject: where a consumer parks a message it gave up on."""

from __future__ import annotations

from nats.aio.msg import Msg
from nats.js import JetStreamContext

DLQ_PREFIX = "dlq"
MAX_ERROR_HEADER = 500


def dead_letter_subject(consumer: str, original_subject: str) -> str:
    return f"{DLQ_PREFIX}.{consumer}.{original_subject}"


def _header_safe(text: str) -> str:
    """NATS headers are single-line: a traceback or multi-line message would corrupt them."""
    return " ".join(text.split())[:MAX_ERROR_HEADER]


async def publish_dead_letter(
    js: JetStreamContext, msg: Msg, *, consumer: str, error: str, publish_timeout: float = 5.0
) -> None:
    """Publish the original data and headers plus why it failed. The message id is
    per consumer and stream sequence: a retry after a crash is de-duplicated, while
    two consumers failing on the same event both keep their dead letter."""
    headers = dict(msg.headers or {})
    if "Nats-Msg-Id" in headers:
        headers["Crm-Original-Msg-Id"] = headers["Nats-Msg-Id"]
    headers.update(
        {
            "Nats-Msg-Id": f"{consumer}:{msg.metadata.sequence.stream}",
            "Crm-Consumer": consumer,
            "Crm-Error": _header_safe(error),
            "Crm-Original-Subject": msg.subject,
        }
    )
    subject = dead_letter_subject(consumer, msg.subject)
    await js.publish(subject, msg.data, timeout=publish_timeout, headers=headers)
