"""The practitioner's private iCalendar feed (issue 12, defect 23)."""

from __future__ import annotations

from urllib.parse import urlparse

from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.bookings.salon import (
    add_absence,
    add_block,
    book_by_staff,
    facial_with_camille,
    paris,
)
from tests.builders import AuthHeaders


def _events(feed: str) -> list[dict[str, str]]:
    events: list[dict[str, str]] = []
    for line in feed.split("\r\n"):
        if line == "BEGIN:VEVENT":
            events.append({})
        elif events and ":" in line and line != "END:VEVENT":
            key, value = line.split(":", 1)
            events[-1][key] = value
    return events


async def test_the_feed_link_is_absolute_and_the_feed_holds_her_whole_time(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    facial, camille = await facial_with_camille()
    manager = await auth_headers(Role.manager)
    kept = await book_by_staff(client, manager, [facial], "2027-03-22T09:00:00+01:00")
    missed = await book_by_staff(client, manager, [facial], "2027-03-15T10:00:00+01:00")
    await add_block(camille, paris(2027, 3, 22, 14), paris(2027, 3, 22, 15))
    await add_absence(camille, paris(2027, 3, 29, 0), paris(2027, 4, 3, 0))
    clock.pin(paris(2027, 3, 15, 10, 30))  # she did not come
    manager = await auth_headers(Role.manager)
    await client.post(
        f"/api/v1/bookings/{missed['id']}/status", json={"status": "no_show"}, headers=manager
    )

    link = await client.get(f"/api/v1/practitioners/{camille}/calendar-feed", headers=manager)
    url = urlparse(link.json()["url"])
    feed = await client.get(f"{url.path}?{url.query}")

    assert (url.scheme, url.netloc) == ("http", "testserver")  # APP_PUBLIC_URL in the tests
    assert feed.status_code == 200, feed.text
    by_start = {e["DTSTART"]: e for e in _events(feed.text)}
    assert by_start["20270322T080000Z"]["STATUS"] == "CONFIRMED"
    assert by_start["20270322T080000Z"]["UID"].startswith(kept["items"][0]["id"])
    assert by_start["20270315T090000Z"]["STATUS"] == "CANCELLED"  # the no-show
    assert by_start["20270322T130000Z"]["SUMMARY"] == "Bloqué : Formation"
    assert by_start["20270328T220000Z"]["SUMMARY"] == "Absence : Congés"
    assert by_start["20270328T220000Z"]["DTEND"] == "20270402T220000Z"
