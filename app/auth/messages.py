"""E-mails of the auth domain, delivered from the outbox. Texts are French: clients read them.

Until the notifications domain brings Resend templates, they go through the console adapter.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.service import TOPIC_EMAIL_VERIFICATION, TOPIC_PASSWORD_RESET
from app.core import outbox
from app.core.config import get_settings
from app.integrations.console import console


@outbox.handles(TOPIC_PASSWORD_RESET)
async def send_password_reset(_: AsyncSession, payload: dict[str, Any]) -> None:
    settings = get_settings()
    link = f"{settings.salon.public_url}/mot-de-passe/nouveau?token={payload['token']}"
    minutes = settings.security.password_reset_minutes
    console.send_email(
        to=payload["email"],
        subject=f"{settings.salon.name} : réinitialisation de votre mot de passe",
        text=(
            f"Bonjour {payload['first_name']},\n\n"
            f"Pour choisir un nouveau mot de passe, ouvrez ce lien (valable {minutes} minutes) :\n"
            f"{link}\n\n"
            "Si vous n'êtes pas à l'origine de cette demande, ignorez simplement ce message.\n\n"
            f"L'équipe {settings.salon.name}"
        ),
    )


@outbox.handles(TOPIC_EMAIL_VERIFICATION)
async def send_email_verification(_: AsyncSession, payload: dict[str, Any]) -> None:
    settings = get_settings()
    link = f"{settings.salon.public_url}/compte/verifier?token={payload['token']}"
    console.send_email(
        to=payload["email"],
        subject=f"{settings.salon.name} : confirmez votre adresse e-mail",
        text=(
            f"Bonjour {payload['first_name']},\n\n"
            "Bienvenue ! Confirmez votre adresse e-mail en ouvrant ce lien :\n"
            f"{link}\n\n"
            f"L'équipe {settings.salon.name}"
        ),
    )
