"""SMS with no OVH keys: logged and kept in memory (`app.integrations.console`)."""

from __future__ import annotations

from app.integrations.console import console
from app.integrations.messaging import Sent, Sms


class ConsoleSmsClient:
    async def send(self, sms: Sms, *, key: str, resumed: bool) -> Sent:
        console.send_sms(to=sms.to, text=sms.text)
        return Sent("console", f"console-{key}")
