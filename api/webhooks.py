"""The ``webhooks`` section of the OpenAPI document: one entry per outbox event type.

Each is what kkpr POSTs to a subscribed URL (``POST /v1/subscriptions``): the event
envelope below, signed the Standard Webhooks way.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Header
from pydantic import BaseModel, Field

from kkpr.pipeline import outbox

SIGNING = (
    "Signed the Standard Webhooks way (https://www.standardwebhooks.com): `webhook-id` is "
    "the event id (the same on every retry: drop repeats by it), `webhook-timestamp` the "
    "Unix seconds of this attempt (refuse one more than 5 minutes from your clock: a "
    "replay), `webhook-signature` is `v1,` + base64(HMAC-SHA256(key, "
    "`{webhook-id}.{webhook-timestamp}.{raw body}`)), the key being the base64-decoded "
    "part of the subscription's `whsec_...` secret. Answer 2xx to take the event; "
    "anything else, or no answer within the timeout, is retried with backoff, in order "
    "per application."
)
DESCRIPTIONS = {
    outbox.APPLICATION_SUBMITTED: "An application was opened; `data` has its KBLI, the "
    "check's outcome and form.",
    outbox.APPLICATION_COMPLETED: "Every stage of the application is completed.",
    outbox.STAGE_STARTED: "A stage started (`data.stage`).",
    outbox.STAGE_COMPLETED: "A stage was completed; for KKPR, `data.document` is the "
    "document issued and `data.conditions` what the next stages must carry.",
    outbox.STAGE_REJECTED: "A stage was rejected, with `data.reasons`.",
    outbox.REVIEW_OPENED: "The case went to staff review, with its deadline.",
    outbox.REVIEW_DECIDED: "Staff decided a review: `data.decision`, reasons, conditions.",
}


class Event(BaseModel):
    """The body of every webhook: one outbox event of one application."""

    id: str = Field(description="Event id, also sent as `webhook-id`")
    type: str = Field(description="Event type")
    application_id: str
    seq: int = Field(description="1, 2, 3 … per application: apply in this order")
    created_at: str = Field(description="UTC, ISO 8601")
    data: dict[str, Any] = Field(
        description="`application` (its summary) and the type's own fields"
    )


def install(app: FastAPI) -> None:
    for event_type in outbox.EVENT_TYPES:

        def receiver(
            event: Event,
            webhook_id: Annotated[str, Header(alias="webhook-id")],
            webhook_timestamp: Annotated[str, Header(alias="webhook-timestamp")],
            webhook_signature: Annotated[str, Header(alias="webhook-signature")],
        ) -> None:
            """Implemented by the subscriber."""

        app.webhooks.add_api_route(
            event_type,
            receiver,
            methods=["POST"],
            operation_id=f"webhook_{event_type.replace('.', '_')}",
            summary=event_type,
            description=f"{DESCRIPTIONS.get(event_type, event_type)}\n\n{SIGNING}",
            response_description="2xx: taken",
            tags=["pipeline"],
        )
