"""The two HTML pages of an unsubscribe link (French: the client reads them)."""

from __future__ import annotations

from app.core.config import get_settings
from app.notifications.service import unsubscribe_target

_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>{title}</title></head>
<body style="font-family:Georgia,serif;max-width:32em;margin:3em auto;color:#3b2f2a">
<h1 style="font-size:1.4em">{title}</h1>{content}</body></html>"""


def unsubscribe_form(token: str) -> str:
    """One button that posts the token back; `InvalidUnsubscribeLink` for a bad link."""
    unsubscribe_target(token)
    name = get_settings().salon.name
    form = (
        '<form method="post"><input type="hidden" name="token" value="{}">'
        '<button type="submit" style="font-size:1em;padding:.6em 1.2em">'
        "Me désinscrire</button></form>"
    ).format(token.replace('"', "&quot;"))
    return _PAGE.format(title=f"Ne plus recevoir les actualités de {name}", content=form)


UNSUBSCRIBED = _PAGE.format(
    title="C'est noté",
    content="<p>Vous ne recevrez plus nos actualités. Les messages liés à vos "
    "rendez-vous (confirmations, rappels) continuent.</p>",
)
