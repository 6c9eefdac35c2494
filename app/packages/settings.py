"""The packages domain's settings (PACKAGES_*, a section of `app.core.config.Settings`)."""

from __future__ import annotations

from app.core.config import PackageSettings, get_settings

__all__ = ["PackageSettings", "package_settings"]


def package_settings() -> PackageSettings:
    return get_settings().packages
