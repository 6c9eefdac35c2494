"""Which storage backend serves: the local folder (`app.core.storage`) by default, a Google
Cloud Storage bucket when `STORAGE_BACKEND=gcs`."""

from __future__ import annotations

from app.core.config import get_settings
from app.core.storage import LocalStorage, Storage
from app.integrations.gcs.client import GcsStorage


def get_storage() -> Storage:
    settings = get_settings().storage
    if settings.backend == "gcs":
        return GcsStorage(settings)
    return LocalStorage(settings.local_dir)
