"""PayPal's console stand-in: the buyer "approves" at once and comes back to the site's
return page with the order's token, as from PayPal; the site then captures."""

from __future__ import annotations

from urllib.parse import urlencode

from app.core.config import get_settings
from app.integrations.console import ConsoleGateway
from app.integrations.gateway import Charge, PaymentStatus, ProviderState


class PayPalConsole(ConsoleGateway):
    online = True

    def __init__(self) -> None:
        super().__init__("paypal")

    def _approval_url(self, charge: Charge, ref: str) -> str | None:
        """Where PayPal would send the buyer (`POST /payments/{id}/capture` follows)."""
        back = charge.return_url or get_settings().salon.public_url
        joiner = "&" if "?" in back else "?"
        return f"{back}{joiner}{urlencode({'token': ref, 'PayerID': 'CONSOLE'})}"

    async def capture(self, ref: str, *, key: str) -> ProviderState:
        self._log("capture", ref=ref)
        return ProviderState(ref=ref, status=PaymentStatus.succeeded, charge_ref=f"{ref}_capture")
