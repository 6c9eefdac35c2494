"""What the buyer and the recipient of a gift card read: the PDF in a Unicode font, a code
whose check catches every typo and swap, and a receipt for the buyer."""

from __future__ import annotations

import io
from itertools import combinations
from typing import Any

import pypdf
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.db import unit_of_work
from app.giftcards import codes
from app.giftcards.models import GiftCard
from app.integrations.console import console
from app.notifications.models import Message
from tests.bookings.salon import open_salon, paris
from tests.builders import deliver_messages
from tests.fakes.server import FakeProviders
from tests.giftcards.test_gift_cards import buy, pay, the_code


async def sell(client: AsyncClient, desk: dict[str, str], **overrides: Any) -> dict[str, Any]:
    body = {
        "amount_cents": 10000,
        "buyer": {"name": "Bruno Petit"},
        "recipient_name": "Maman",
        "method": "cash",
    } | overrides
    sold = await client.post("/api/v1/gift-cards/in-salon", json=body, headers=desk)
    assert sold.status_code == 201, sold.text
    return dict(sold.json())


async def test_the_pdf_prints_the_euro_dashes_and_curly_quotes_and_leaves_emoji_out(
    client: AsyncClient, desk: dict[str, str]
) -> None:
    message = "C\u2019est ton jour \u2014 profite \u201cbien\u201d \U0001f381 ! Bisous \U0001f618."
    sold = await sell(client, desk, message=message)

    pdf = await client.get(f"/api/v1/gift-cards/{sold['gift_card']['id']}/pdf", headers=desk)

    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "100,00\u00a0€" in text or "100,00 €" in text
    assert "« C\u2019est ton jour \u2014 profite \u201cbien\u201d ! Bisous. »" in text.replace(
        "\u00a0", " "
    )
    assert "Valable jusqu\u2019au" in text
    assert "?" not in text
    assert "euros" not in text
    assert "\U0001f381" not in text


BODY = "K7PQ3MX9AW9TEHR"


def code_with(chars: dict[int, str]) -> str:
    body = list(BODY)
    for position, char in chars.items():
        body[position] = char
    return "".join(body) + codes.check_character("".join(body))


def valid(code: str) -> bool:
    return codes.check_character(code[:-1]) == code[-1]


def swapped(code: str, i: int, j: int) -> str:
    chars = list(code)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def test_every_single_typo_and_every_swap_is_caught() -> None:
    """Exhaustive over the alphabet at every position (and pair of positions, the check
    character included): the check is linear, so whether a change is caught does not depend
    on the other characters."""
    for code in (code_with({}), code_with(dict.fromkeys(range(15), "A"))):
        assert valid(code)
        for i in range(16):
            for other in codes.ALPHABET.replace(code[i], ""):
                assert not valid(code[:i] + other + code[i + 1 :]), (code, i, other)
    for i, j in combinations(range(15), 2):
        for a, b in combinations(codes.ALPHABET, 2):
            code = code_with({i: a, j: b})
            assert not valid(swapped(code, i, j)), (code, i, j)
    for i in range(15):  # with the check character: another position runs it through all 32
        other = 1 if i == 0 else 0
        for a in codes.ALPHABET:
            for filler in codes.ALPHABET:
                code = code_with({i: a, other: filler})
                if code[i] != code[15]:
                    assert not valid(swapped(code, i, 15)), (code, i)


async def card_with_code(client: AsyncClient, desk: dict[str, str], code: str) -> str:
    """A card sold at the desk, given `code` (as if the generator had drawn it)."""
    sold = await sell(client, desk)
    async with unit_of_work() as session:
        await session.execute(
            update(GiftCard)
            .where(GiftCard.id == sold["gift_card"]["id"])
            .values(
                code_hash=codes.code_hash(code), code_hint=code[-4:], code_sealed=codes.seal(code)
            )
        )
    return str(sold["gift_card"]["id"])


async def test_swapping_9a_for_a9_in_a_real_code_is_refused_as_a_typo(
    client: AsyncClient, desk: dict[str, str]
) -> None:
    code = code_with({})
    assert code[7:9] == "9A"
    await card_with_code(client, desk, code)
    swapped = code[:7] + "A9" + code[9:]

    right = await client.post("/api/v1/gift-cards/balance", json={"code": codes.display(code)})
    wrong = await client.post("/api/v1/gift-cards/balance", json={"code": codes.display(swapped)})

    assert right.status_code == 200, right.text
    assert (wrong.status_code, wrong.json()["code"]) == (422, "invalid_gift_card_code")


def luhn_mod_32(body: str) -> str:
    """The check of the cards issued before December 2026, written out again here."""
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * codes.ALPHABET.index(char)
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return codes.ALPHABET[(32 - total % 32) % 32]


async def test_a_card_issued_under_the_old_check_still_pays(
    client: AsyncClient, desk: dict[str, str]
) -> None:
    old = BODY + luhn_mod_32(BODY)
    assert not valid(old)
    await card_with_code(client, desk, old)

    answer = await client.post("/api/v1/gift-cards/balance", json={"code": codes.display(old)})

    assert answer.status_code == 200, answer.text
    assert answer.json()["balance_cents"] == 10000


async def sent_to(address: str) -> list[Any]:
    return [m for m in console.emails if m.to == address]


async def test_an_online_buyer_gets_her_receipt_at_once_and_the_recipient_her_card_on_the_day(
    client: AsyncClient, session: AsyncSession, fakes: FakeProviders
) -> None:
    purchase = await buy(client, fakes)
    assert await deliver_messages() == 0  # nothing paid yet: no receipt
    await pay(client, fakes, purchase)

    assert await deliver_messages() == 1  # the receipt; the card waits for Saturday
    [receipt] = await sent_to("ines@example.fr")
    assert receipt.subject == "Votre reçu : carte cadeau Sérénaia Beauté pour Léa"
    assert receipt.text.split("\n")[:7] == [
        "Bonjour Inès Martin,",
        "",
        "Merci pour votre achat. Voici votre reçu :",
        "Carte cadeau Sérénaia Beauté pour Léa : 100,00\u00a0€",
        "Payé le 15/03/2027 par carte bancaire : 100,00\u00a0€",
        "Valable jusqu'au 20/03/2028, en une ou plusieurs fois.",
        "",
    ]
    assert "Nous l'envoyons à Léa (lea@example.fr) le 20/03/2027, avec votre message." in (
        receipt.text
    )
    clock.pin(paris(2027, 3, 20, 9))
    assert await deliver_messages() == 1
    [card] = await sent_to("lea@example.fr")
    assert card.text.startswith("Bonjour Léa,\n\nInès Martin vous offre une carte cadeau")
    code = await the_code(session, purchase["gift_card"]["id"])
    assert code not in receipt.text
    assert codes.display(code) not in receipt.text


async def test_without_a_recipient_address_the_buyer_gets_the_card_to_hand_over(
    client: AsyncClient, session: AsyncSession, fakes: FakeProviders
) -> None:
    purchase = await buy(
        client,
        fakes,
        buyer={"name": "Bruno Petit", "email": "bruno@example.fr"},
        recipient_name="Maman",
        recipient_email=None,
    )
    await pay(client, fakes, purchase)

    assert await deliver_messages() == 1  # at once: she prints or forwards it herself
    [mail] = console.emails
    assert mail.to == "bruno@example.fr"
    assert mail.text.startswith("Bonjour Bruno Petit,\n")
    assert "Bonjour Maman" not in mail.text
    assert (
        "La carte, au nom de Maman, est jointe en PDF : imprimez-la ou transférez-lui ce message."
        in mail.text
    )
    [row] = (await session.scalars(select(Message))).all()
    assert row.template == "gift_card_receipt"
    # Staff see which file went; where it is stored travels sealed with the body.
    assert row.attachments == [{"filename": "carte-cadeau.pdf"}]
    code = await the_code(session, purchase["gift_card"]["id"])
    assert code not in str(row.attachments)
    assert codes.display(code) not in mail.text


async def test_a_card_kept_by_its_buyer_reminds_her_before_it_expires(
    client: AsyncClient, desk: dict[str, str]
) -> None:
    from app.giftcards.delivery import remind_expiring

    await open_salon()
    await sell(client, desk, buyer={"name": "Bruno Petit", "email": "bruno@example.fr"})
    await deliver_messages()
    console.clear()
    clock.pin(paris(2028, 2, 20, 10))

    assert await remind_expiring() == 1
    await deliver_messages()

    [mail] = console.emails
    assert mail.text.startswith("Bonjour Bruno Petit,\n\nIl reste 100,00\u00a0€ sur la carte")
    assert "que vous avez offerte à Maman" in mail.text
