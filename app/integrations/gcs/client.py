"""Files in a Google Cloud Storage bucket through the official client
(`STORAGE_EMULATOR_HOST` points it at an emulator, as the client itself documents)."""

from __future__ import annotations

import asyncio
import os

from app.core.config import StorageSettings


class GcsStorage:
    def __init__(self, settings: StorageSettings) -> None:
        from google.cloud import storage  # here: slow to import, and needed only for gcs

        if settings.emulator_host:
            os.environ.setdefault("STORAGE_EMULATOR_HOST", settings.emulator_host)
        if not settings.gcs_bucket:
            raise RuntimeError("STORAGE_GCS_BUCKET is required with STORAGE_BACKEND=gcs")
        client = (
            storage.Client.create_anonymous_client() if settings.emulator_host else storage.Client()
        )
        self._bucket = client.bucket(settings.gcs_bucket)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        blob = self._bucket.blob(key)
        await asyncio.to_thread(blob.upload_from_string, data, content_type=content_type)

    async def get(self, key: str) -> bytes:
        blob = self._bucket.blob(key)
        return await asyncio.to_thread(blob.download_as_bytes)
