"""E-mail with no Resend key: logged and kept in memory (`app.integrations.console`)."""

from __future__ import annotations

from app.integrations.console import console
from app.integrations.messaging import Email, Sent


class ConsoleEmailClient:
    async def send(self, email: Email, *, key: str, resumed: bool) -> Sent:
        console.send_email(to=email.to, subject=email.subject, text=email.text)
        return Sent("console", f"console-{key}")
