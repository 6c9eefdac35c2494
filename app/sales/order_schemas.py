"""The bodies of the till's orders, tenders, tickets and credit tickets. Amounts are integer
cents, VAT included unless the name says `excl_vat`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.schemas import Ean13
from app.core.timeutils import SalonDateTime
from app.sales.checkout import TenderAsked
from app.sales.models import LineKind
from app.sales.orders import LineAsked, OrderAsked
from app.sales.returns import ReturnAsked, ReturnLineAsked
from app.sales.views import OrderView, TenderView, priced

MAX_CENTS = 10_000_000
Reason = Field(default=None, min_length=1, max_length=200)


class OrderLineIn(BaseModel):
    """A service (by whom), a product by id or barcode, or a package (a series of sessions,
    `package_offer_id`; the order names its client). The price is the catalog's."""

    kind: Literal["service", "product", "package"]
    service_id: UUID | None = None
    product_id: UUID | None = None
    package_offer_id: UUID | None = None
    barcode: Ean13 | None = None
    quantity: int = Field(default=1, ge=1, le=999)
    practitioner_id: UUID | None = None
    discount_cents: int = Field(default=0, ge=0, le=MAX_CENTS)
    discount_reason: str | None = Reason

    @model_validator(mode="after")
    def _names_its_item(self) -> Self:
        if (self.kind == "package") != (self.package_offer_id is not None) or (
            self.kind == "package" and (self.service_id or self.product_id or self.barcode)
        ):
            raise ValueError("a package line names its `package_offer_id` (and nothing else)")
        if self.kind == "service" and (self.service_id is None or self.product_id or self.barcode):
            raise ValueError("a service line names its `service_id` (and no product)")
        if self.kind == "product" and (
            self.service_id is not None or (self.product_id is None) == (self.barcode is None)
        ):
            raise ValueError("a product line names its `product_id` or its `barcode`, not both")
        if self.discount_cents and not self.discount_reason:
            raise ValueError("a discount states its reason (`discount_reason`)")
        return self

    def asked(self) -> LineAsked:
        return LineAsked(
            kind=LineKind(self.kind),
            service_id=self.service_id,
            product_id=self.product_id,
            barcode=self.barcode,
            quantity=self.quantity,
            practitioner_id=self.practitioner_id,
            discount_cents=self.discount_cents,
            discount_reason=self.discount_reason,
            package_offer_id=self.package_offer_id,
        )


class OrderIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "booking_id": "0193a4f2-7c1e-7c3a-9a1b-2f4e5d6c7b8a",
                "lines": [
                    {"kind": "product", "barcode": "3600523614516", "quantity": 2},
                    {
                        "kind": "service",
                        "service_id": "0193a4f2-7c1e-7c3a-9a1b-2f4e5d6c7b8b",
                        "practitioner_id": "0193a4f2-7c1e-7c3a-9a1b-2f4e5d6c7b8c",
                    },
                ],
            }
        }
    )

    booking_id: UUID | None = None
    client_id: UUID | None = None
    lines: list[OrderLineIn] = Field(default_factory=list, max_length=100)
    register_id: UUID | None = Field(
        default=None, description="The till; default: the only open one."
    )
    training: bool = Field(default=False, description="Training mode: kept out of the books.")
    discount_cents: int = Field(default=0, ge=0, le=MAX_CENTS)
    discount_reason: str | None = Reason
    promo_code: str | None = Field(default=None, min_length=1, max_length=64)
    print_client_name: bool = Field(
        default=True, description="False when the client objects to her name on the note."
    )

    @model_validator(mode="after")
    def _something_to_sell(self) -> Self:
        if self.booking_id is None and not self.lines:
            raise ValueError("an order has a booking or at least one line")
        if self.discount_cents and not self.discount_reason:
            raise ValueError("a discount states its reason (`discount_reason`)")
        return self

    def asked(self) -> OrderAsked:
        return OrderAsked(
            register_id=self.register_id,
            booking_id=self.booking_id,
            client_id=self.client_id,
            lines=[line.asked() for line in self.lines],
            training=self.training,
            discount_cents=self.discount_cents,
            discount_reason=self.discount_reason,
            promo_code=self.promo_code,
            print_client_name=self.print_client_name,
        )


class OrderLineOut(BaseModel):
    id: UUID
    position: int
    kind: str
    service_id: UUID | None
    product_id: UUID | None
    package_offer_id: UUID | None = None
    practitioner_id: UUID | None
    label: str
    quantity: int
    unit_price_cents: int
    discount_cents: int
    discount_reason: str | None
    total_cents: int
    total_excl_vat_cents: int
    vat_rate: Decimal
    from_booking: bool
    returned_quantity: int


class TenderOut(BaseModel):
    id: UUID
    method: str = Field(description="cash, card, gift_card, bank_transfer, deposit or on_account")
    amount_cents: int = Field(description="What pays the order (tip and change excluded)")
    tip_cents: int
    change_cents: int
    refunded_cents: int
    payment_id: UUID | None
    payment_status: str
    due_cents: int | None = Field(
        default=None, description="Left to pay on the order after this tender"
    )

    @classmethod
    def of(cls, found: TenderView, *, due_cents: int | None = None) -> TenderOut:
        tender = found.tender
        return cls(
            id=tender.id,
            method=tender.method,
            amount_cents=tender.amount_cents,
            tip_cents=tender.tip_cents,
            change_cents=tender.change_cents,
            refunded_cents=tender.refunded_cents,
            payment_id=tender.payment_id,
            payment_status=found.payment_status,
            due_cents=due_cents,
        )


class VatOut(BaseModel):
    rate: Decimal
    base_cents: int
    vat_cents: int


class TicketRef(BaseModel):
    id: UUID = Field(description="The ticket's journal record: its receipt is under /tickets/{id}")
    number: str


class OrderOut(BaseModel):
    id: UUID
    status: str
    register_id: UUID
    booking_id: UUID | None
    client_id: UUID | None
    training: bool
    lines: list[OrderLineOut]
    total_excl_vat_cents: int
    vat: list[VatOut]
    total_cents: int
    discount_cents: int
    discount_reason: str | None
    promo_code: str | None
    prepaid_cents: int = Field(description="Paid for the booking before the visit (counted)")
    paid_cents: int
    due_cents: int
    change_cents: int
    tips_cents: int
    tenders: list[TenderOut]
    ticket: TicketRef | None
    created_at: SalonDateTime
    completed_at: SalonDateTime | None

    @classmethod
    def of(cls, view: OrderView) -> OrderOut:
        order = view.order
        amounts = {
            line.id: (line.quantity * line.unit_price_cents - line.discount_cents)
            for line in view.lines
        }
        return cls(
            id=order.id,
            status=order.status,
            register_id=order.register_id,
            booking_id=order.booking_id,
            client_id=order.client_id,
            training=order.training,
            lines=[
                OrderLineOut(
                    id=line.id,
                    position=line.position,
                    kind=line.kind,
                    service_id=line.service_id,
                    product_id=line.product_id,
                    package_offer_id=line.package_offer_id,
                    practitioner_id=line.practitioner_id,
                    label=line.label,
                    quantity=line.quantity,
                    unit_price_cents=line.unit_price_cents,
                    discount_cents=line.discount_cents,
                    discount_reason=line.discount_reason,
                    total_cents=amounts[line.id],
                    total_excl_vat_cents=priced(line).excl_vat_cents,
                    vat_rate=line.vat_rate,
                    from_booking=line.from_booking,
                    returned_quantity=line.returned_quantity,
                )
                for line in view.lines
            ],
            total_excl_vat_cents=view.totals.excl_vat_cents,
            vat=[
                VatOut(rate=r.rate, base_cents=r.base_cents, vat_cents=r.vat_cents)
                for r in view.totals.by_rate
            ],
            total_cents=order.total_cents,
            discount_cents=order.discount_cents,
            discount_reason=order.discount_reason,
            promo_code=order.promo_code,
            prepaid_cents=order.prepaid_cents,
            paid_cents=view.paid_cents,
            due_cents=view.due_cents,
            change_cents=view.change_cents,
            tips_cents=view.tips_cents,
            tenders=[TenderOut.of(t) for t in view.tenders],
            ticket=(
                TicketRef(id=order.ticket_record_id, number=order.ticket_number or "")
                if order.ticket_record_id
                else None
            ),
            created_at=order.created_at,
            completed_at=order.completed_at,
        )


class TenderIn(BaseModel):
    """One tender. `amount_cents` pays the order (default: all that is due); a tip is on top.
    Cash above what is due is change given back. `on_account` (a manager, a business client's
    order): what is left stays owed; its invoice is paid later by transfer."""

    model_config = ConfigDict(
        json_schema_extra={"example": {"method": "cash", "amount_cents": 5000, "tip_cents": 0}}
    )

    method: Literal["sumup_terminal", "cash", "bank_transfer", "gift_card", "on_account"]
    amount_cents: int | None = Field(default=None, ge=1, le=MAX_CENTS)
    tip_cents: int = Field(default=0, ge=0, le=1_000_000)
    gift_card_code: str | None = Field(default=None, min_length=4, max_length=64)
    reader_id: UUID | None = Field(default=None, description="The card reader (sumup_terminal)")
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _card_code(self) -> Self:
        if (self.method == "gift_card") != (self.gift_card_code is not None):
            raise ValueError("`gift_card_code` comes with, and only with, method gift_card")
        return self

    def asked(self) -> TenderAsked:
        return TenderAsked(
            method=self.method,
            amount_cents=self.amount_cents,
            tip_cents=self.tip_cents,
            gift_card_code=self.gift_card_code,
            reader_id=self.reader_id,
            note=self.note,
        )


class TicketOut(BaseModel):
    order_id: UUID
    id: UUID = Field(description="The ticket's journal record id")
    number: str
    issued_at: SalonDateTime
    total_cents: int
    change_cents: int
    training: bool

    @classmethod
    def of(cls, view: OrderView) -> TicketOut:
        order = view.order
        return cls(
            order_id=order.id,
            id=order.ticket_record_id or order.id,
            number=order.ticket_number or "",
            issued_at=order.completed_at or order.updated_at,
            total_cents=order.total_cents,
            change_cents=view.change_cents,
            training=order.training,
        )


class ReturnLineIn(BaseModel):
    line_id: UUID = Field(description="The order's line (`lines[].id` of the order)")
    quantity: int = Field(default=1, ge=1, le=999)
    resellable: bool = Field(default=True, description="A product back in stock, or written off")


class RefundIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "lines": [{"line_id": "0193a4f2-7c1e-7c3a-9a1b-2f4e5d6c7b8a", "quantity": 1}],
                "reason": "Produit ne convenant pas",
            }
        }
    )

    lines: list[ReturnLineIn] = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=200)
    register_id: UUID | None = Field(
        default=None, description="The till the cash leaves; default: the order's if open"
    )

    def asked(self) -> ReturnAsked:
        return ReturnAsked(
            lines=[ReturnLineAsked(x.line_id, x.quantity, x.resellable) for x in self.lines],
            reason=self.reason,
            register_id=self.register_id,
        )


class RefundedTenderOut(BaseModel):
    method: str
    amount_cents: int
    payment_id: UUID | None
    refund_id: UUID | None


class CreditOut(BaseModel):
    id: UUID
    order_id: UUID
    ticket: TicketRef = Field(description="The credit ticket in the journal")
    corrects: TicketRef
    amount_cents: int
    refunds: list[RefundedTenderOut]
    created_at: datetime
