"""The one way to build a link a client opens: the site's or the API's public address, path
segments quoted, query values encoded. A value such as `2027-03-22T09:00:00+01:00` keeps its
`+` (sent as `%2B`; a bare `+` reads as a space), a token keeps its `=`, `&` and `/`."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from app.core.config import get_settings

# Characters legal in a query value that every parser reads back as themselves: left as they
# are so links stay short in an SMS.
_QUERY_SAFE = ":,@"


def build_url(base: str, *segments: str, query: dict[str, str] | None = None) -> str:
    """`base` (scheme and host, maybe a path prefix) followed by each segment, quoted whole
    (a segment never adds a `/`), then the query, encoded."""
    url = base.rstrip("/")
    for segment in segments:
        url += "/" + quote(segment, safe="")
    if query:
        url += "?" + urlencode(query, quote_via=quote, safe=_QUERY_SAFE)
    return url


def site_url(*segments: str, query: dict[str, str] | None = None) -> str:
    """A page of the salon's public site (SALON_PUBLIC_URL)."""
    return build_url(get_settings().salon.public_url, *segments, query=query)


def api_url(*segments: str, query: dict[str, str] | None = None) -> str:
    """An address of this API as the outside world reaches it (APP_PUBLIC_URL)."""
    return build_url(get_settings().app.public_url, *segments, query=query)
