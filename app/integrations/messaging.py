"""What the e-mail and SMS clients (Resend, OVH and their console stand-ins) take and give
back, in the notifications domain's terms but without its models."""

from __future__ import annotations

from dataclasses import dataclass, field


class DeliveryError(Exception):
    """A failed send; `permanent` ones are not retried (an invalid address)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Sent:
    provider: str
    provider_id: str


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None
    template: str
    # {"filename": ..., "content": <base64>}
    attachments: list[dict[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Sms:
    to: str
    text: str
    # Marketing SMS carry OVH's STOP clause; service ones (a reminder) do not.
    stop_clause: bool
