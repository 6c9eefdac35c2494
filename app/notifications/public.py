"""What other domains may use from notifications: write a message in their transaction."""

from __future__ import annotations

from app.notifications.channels import encode_attachment, stored_attachment
from app.notifications.models import Channel
from app.notifications.service import Recipient, queue

__all__ = ["Channel", "Recipient", "encode_attachment", "queue", "stored_attachment"]
