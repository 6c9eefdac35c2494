"""The public flows' abuse limits, applied to a caller: visitors and client accounts are
counted per address and per contact; signed-in staff (booking for clients at the desk, from
one address) never are."""

from __future__ import annotations

from app.auth.principal import Principal
from app.core import ratelimit


async def limit_visitor(
    flow: str, principal: Principal | None, ip: str, *contacts: str | None
) -> None:
    """Count one use of `flow` (a LIMITS_ setting's prefix) by this caller; 429 past a limit."""
    if principal is not None and principal.is_staff:
        return
    own = (principal.email,) if principal is not None else ()
    await ratelimit.limit_public_flow(flow, address=ip, contacts=(*own, *contacts))
