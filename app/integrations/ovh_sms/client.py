"""SMS through OVH's official SDK. OVH takes no idempotency key, so the SMS carries the
message's key as its `tag` and a resumed send first asks OVH for that tag."""

from __future__ import annotations

import asyncio

import ovh
import requests

from app.core.config import OvhSettings
from app.integrations.messaging import DeliveryError, Sent, Sms

_OVH_FAKE_ENDPOINT = "salon-configured"


class OvhSmsClient:
    def __init__(self, settings: OvhSettings) -> None:
        if not (
            settings.application_key
            and settings.application_secret
            and settings.consumer_key
            and settings.sms_service_name
        ):
            raise RuntimeError("the OVH keys and OVH_SMS_SERVICE_NAME are required here")
        endpoint = settings.endpoint
        if endpoint.startswith("http"):
            # The SDK accepts only named endpoints: register the configured URL under a name.
            ovh.client.ENDPOINTS[_OVH_FAKE_ENDPOINT] = endpoint.rstrip("/")
            endpoint = _OVH_FAKE_ENDPOINT
        self._client = ovh.Client(
            endpoint=endpoint,
            application_key=settings.application_key,
            application_secret=settings.application_secret.get_secret_value(),
            consumer_key=settings.consumer_key.get_secret_value(),
            timeout=30,
        )
        self._service = settings.sms_service_name
        self._sender = settings.sms_sender

    async def send(self, sms: Sms, *, key: str, resumed: bool) -> Sent:
        return await asyncio.to_thread(self._send, sms, key, resumed)

    def _send(self, sms: Sms, key: str, resumed: bool) -> Sent:
        tag = key.replace("-", "")[:32]
        path = f"/sms/{self._service}"
        try:
            if resumed:
                already = self._client.get(f"{path}/outgoing", tag=tag)
                if already:
                    return Sent("ovh", str(already[0]))
            report = self._client.post(
                f"{path}/jobs",
                message=sms.text,
                receivers=[sms.to],
                sender=self._sender,
                senderForResponse=False,
                noStopClause=not sms.stop_clause,
                priority="high",
                charset="UTF-8",
                tag=tag,
                validityPeriod=2880,
            )
        except ovh.exceptions.APIError as exc:
            permanent = isinstance(exc, ovh.exceptions.BadParametersError)
            raise DeliveryError(f"OVH: {exc}", permanent=permanent) from exc
        except requests.RequestException as exc:
            raise DeliveryError(f"OVH did not answer: {exc}") from exc
        if sms.to in (report.get("invalidReceivers") or []) or not report.get("ids"):
            raise DeliveryError(f"OVH refused the number {sms.to}", permanent=True)
        return Sent("ovh", str(report["ids"][0]))

    async def stop_list(self) -> list[str]:
        """Numbers that answered STOP to a marketing SMS (OVH keeps the list)."""

        def fetch() -> list[str]:
            try:
                return [str(n) for n in self._client.get(f"/sms/{self._service}/blacklists")]
            except (ovh.exceptions.APIError, requests.RequestException) as exc:
                raise DeliveryError(f"OVH: {exc}") from exc

        return await asyncio.to_thread(fetch)
