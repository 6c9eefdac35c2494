"""Where generated files live (gift card PDFs…): a local folder by default, a Google Cloud
Storage bucket when `STORAGE_BACKEND=gcs` (`STORAGE_EMULATOR_HOST` points the official client
at an emulator, as the client itself documents)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Protocol

from app.core.config import StorageSettings, get_settings


class Storage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key outside the folder: {key!r}")
        return path

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(path.suffix + ".partial")
            partial.write_bytes(data)
            partial.replace(path)  # readers never see half a file

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)


class GcsStorage:
    def __init__(self, settings: StorageSettings) -> None:
        from google.cloud import storage

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


def get_storage() -> Storage:
    settings = get_settings().storage
    if settings.backend == "gcs":
        return GcsStorage(settings)
    return LocalStorage(settings.local_dir)
