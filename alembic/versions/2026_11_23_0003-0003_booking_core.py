"""Booking core: catalog, practitioners, resources, availability, clients, bookings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_rules",
        sa.Column("id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "slot_interval_minutes", sa.Integer(), server_default=sa.text("15"), nullable=False
        ),
        sa.Column(
            "min_lead_time_minutes", sa.Integer(), server_default=sa.text("120"), nullable=False
        ),
        sa.Column("max_advance_days", sa.Integer(), server_default=sa.text("90"), nullable=False),
        sa.Column("hold_minutes", sa.Integer(), server_default=sa.text("15"), nullable=False),
        sa.Column(
            "cancellation_notice_hours", sa.Integer(), server_default=sa.text("24"), nullable=False
        ),
        sa.Column(
            "home_visit_radius_km",
            sa.Numeric(precision=6, scale=2),
            server_default=sa.text("15"),
            nullable=False,
        ),
        sa.Column(
            "home_travel_minutes", sa.Integer(), server_default=sa.text("30"), nullable=False
        ),
        sa.Column(
            "home_travel_fee_cents", sa.Integer(), server_default=sa.text("1500"), nullable=False
        ),
        sa.Column(
            "salon_latitude",
            sa.Numeric(precision=9, scale=6),
            server_default=sa.text("45.767300"),
            nullable=False,
        ),
        sa.Column(
            "salon_longitude",
            sa.Numeric(precision=9, scale=6),
            server_default=sa.text("4.851100"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "home_visit_radius_km >= 0 AND home_travel_minutes >= 0 AND home_travel_fee_cents >= 0",
            name=op.f("ck_booking_rules_home_rules_valid"),
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_booking_rules_single_row")),
        sa.CheckConstraint(
            "slot_interval_minutes BETWEEN 5 AND 120 AND min_lead_time_minutes >= 0 AND max_advance_days BETWEEN 1 AND 730 AND hold_minutes BETWEEN 1 AND 240 AND cancellation_notice_hours >= 0",
            name=op.f("ck_booking_rules_rules_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_rules")),
    )
    op.create_table(
        "closures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("start_date <= end_date", name=op.f("ck_closures_range_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closures")),
    )
    op.create_table(
        "opening_hours",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_opening_hours_interval_valid")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_opening_hours_weekday_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_hours")),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("brand", sa.String(length=120), nullable=True),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_products_price_valid")),
        sa.CheckConstraint(
            "vat_rate >= 0 AND vat_rate < 100", name=op.f("ck_products_vat_rate_valid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("sku", name=op.f("uq_products_sku")),
    )
    op.create_table(
        "resources",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), server_default=sa.text("'room'"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resources")),
        sa.UniqueConstraint("name", name=op.f("uq_resources_name")),
    )
    op.create_table(
        "service_categories",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("display_order", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_categories")),
        sa.UniqueConstraint("name", name=op.f("uq_service_categories_name")),
    )
    op.create_table(
        "special_openings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "start_time < end_time", name=op.f("ck_special_openings_interval_valid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_special_openings")),
    )
    op.create_index(
        op.f("ix_special_openings_on_date"), "special_openings", ["on_date"], unique=False
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("phone ~ '^\\+[1-9][0-9]{6,14}$'", name=op.f("ck_clients_phone_e164")),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_clients_email_lowercase")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_clients_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("user_id", name=op.f("uq_clients_user_id")),
    )
    op.create_index(op.f("ix_clients_phone"), "clients", ["phone"], unique=False)
    op.create_index(
        "uq_clients_email",
        "clients",
        ["email"],
        unique=True,
        postgresql_where=sa.text("email IS NOT NULL"),
    )
    op.create_table(
        "practitioners",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column(
            "color", sa.String(length=7), server_default=sa.text("'#8E7CC3'"), nullable=False
        ),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("display_order", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("color ~ '^#[0-9A-Fa-f]{6}$'", name=op.f("ck_practitioners_color_hex")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_practitioners_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practitioners")),
        sa.UniqueConstraint("user_id", name=op.f("uq_practitioners_user_id")),
    )
    op.create_table(
        "services",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column(
            "buffer_before_minutes", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column(
            "buffer_after_minutes", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column(
            "processing_offset_minutes", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("processing_minutes", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column(
            "deposit_kind", sa.String(length=16), server_default=sa.text("'none'"), nullable=False
        ),
        sa.Column("deposit_amount_cents", sa.Integer(), nullable=True),
        sa.Column("deposit_percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("online_bookable", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "home_visit_available", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("display_order", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(deposit_kind = 'none') OR (deposit_kind = 'fixed' AND deposit_amount_cents > 0) OR (deposit_kind = 'percent' AND deposit_percent > 0 AND deposit_percent <= 100)",
            name=op.f("ck_services_deposit_rule_valid"),
        ),
        sa.CheckConstraint(
            "deposit_kind IN ('none', 'fixed', 'percent')",
            name=op.f("ck_services_deposit_kind_valid"),
        ),
        sa.CheckConstraint(
            "buffer_before_minutes >= 0 AND buffer_after_minutes >= 0",
            name=op.f("ck_services_buffers_valid"),
        ),
        sa.CheckConstraint(
            "duration_minutes > 0 AND duration_minutes <= 720",
            name=op.f("ck_services_duration_valid"),
        ),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_services_price_valid")),
        sa.CheckConstraint(
            "processing_minutes >= 0 AND processing_offset_minutes >= 0 AND (processing_minutes = 0 OR processing_offset_minutes + processing_minutes < duration_minutes)",
            name=op.f("ck_services_processing_inside_service"),
        ),
        sa.CheckConstraint(
            "vat_rate >= 0 AND vat_rate < 100", name=op.f("ck_services_vat_rate_valid")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["service_categories.id"],
            name=op.f("fk_services_category_id_service_categories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
    )
    op.create_index(op.f("ix_services_category_id"), "services", ["category_id"], unique=False)
    op.create_table(
        "absences",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("start_at < end_at", name=op.f("ck_absences_range_valid")),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_absences_practitioner_id_practitioners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absences")),
    )
    op.create_index(
        "ix_absences_practitioner_range",
        "absences",
        ["practitioner_id", "start_at", "end_at"],
        unique=False,
    )
    op.create_table(
        "blocks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("start_at < end_at", name=op.f("ck_blocks_range_valid")),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_blocks_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_blocks_practitioner_id_practitioners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocks")),
    )
    op.create_index(
        "ix_blocks_practitioner_range",
        "blocks",
        ["practitioner_id", "start_at", "end_at"],
        unique=False,
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column(
            "location", sa.String(length=8), server_default=sa.text("'salon'"), nullable=False
        ),
        sa.Column("home_address", sa.Text(), nullable=True),
        sa.Column("home_latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("home_longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("travel_fee_cents", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("deposit_cents", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("deposit_policy", sa.String(length=8), nullable=True),
        sa.Column("terms_version", sa.String(length=32), nullable=True),
        sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=16), nullable=True),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("late_cancellation", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'pending_payment') = (hold_expires_at IS NOT NULL)",
            name=op.f("ck_bookings_hold_valid"),
        ),
        sa.CheckConstraint(
            "deposit_policy IS NULL OR deposit_policy IN ('arrhes', 'acompte')",
            name=op.f("ck_bookings_deposit_policy_valid"),
        ),
        sa.CheckConstraint(
            "location = 'salon' OR home_address IS NOT NULL",
            name=op.f("ck_bookings_home_has_address"),
        ),
        sa.CheckConstraint(
            "location IN ('salon', 'home')", name=op.f("ck_bookings_location_valid")
        ),
        sa.CheckConstraint(
            "source IN ('online', 'phone', 'walk_in', 'staff')",
            name=op.f("ck_bookings_source_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('pending_payment', 'confirmed', 'checked_in', 'completed', 'cancelled', 'no_show')",
            name=op.f("ck_bookings_status_valid"),
        ),
        sa.CheckConstraint("start_at < end_at", name=op.f("ck_bookings_range_valid")),
        sa.CheckConstraint(
            "total_cents >= 0 AND deposit_cents >= 0 AND deposit_cents <= total_cents AND travel_fee_cents >= 0",
            name=op.f("ck_bookings_amounts_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_bookings_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_bookings_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
    )
    op.create_index("ix_bookings_client_start", "bookings", ["client_id", "start_at"], unique=False)
    op.create_index(
        "ix_bookings_hold_expiry",
        "bookings",
        ["hold_expires_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending_payment'"),
    )
    op.create_index("ix_bookings_start_at", "bookings", ["start_at"], unique=False)
    op.create_table(
        "practitioner_services",
        sa.Column("practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR (duration_minutes > 0 AND duration_minutes <= 720)",
            name=op.f("ck_practitioner_services_duration_valid"),
        ),
        sa.CheckConstraint(
            "price_cents IS NULL OR price_cents >= 0",
            name=op.f("ck_practitioner_services_price_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_practitioner_services_practitioner_id_practitioners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_practitioner_services_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "practitioner_id", "service_id", name=op.f("pk_practitioner_services")
        ),
    )
    op.create_index(
        op.f("ix_practitioner_services_service_id"),
        "practitioner_services",
        ["service_id"],
        unique=False,
    )
    op.create_table(
        "service_prerequisites",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("required_service_id", sa.Uuid(), nullable=False),
        sa.Column("within_days", sa.Integer(), nullable=False),
        sa.Column("min_days_before", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("first_time_only", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint(
            "service_id <> required_service_id", name=op.f("ck_service_prerequisites_not_itself")
        ),
        sa.CheckConstraint(
            "within_days > 0 AND min_days_before >= 0",
            name=op.f("ck_service_prerequisites_days_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["required_service_id"],
            ["services.id"],
            name=op.f("fk_service_prerequisites_required_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_prerequisites_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "service_id", "required_service_id", name=op.f("pk_service_prerequisites")
        ),
    )
    op.create_table(
        "service_resources",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resources.id"],
            name=op.f("fk_service_resources_resource_id_resources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_resources_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", "resource_id", name=op.f("pk_service_resources")),
    )
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("service_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("practitioner_id", sa.Uuid(), nullable=True),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column(
            "status", sa.String(length=16), server_default=sa.text("'waiting'"), nullable=False
        ),
        sa.Column("offered_start_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offered_practitioner_id", sa.Uuid(), nullable=True),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('waiting', 'offered', 'booked', 'expired', 'cancelled')",
            name=op.f("ck_waitlist_entries_status_valid"),
        ),
        sa.CheckConstraint("date_from <= date_to", name=op.f("ck_waitlist_entries_range_valid")),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_waitlist_entries_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_waitlist_entries_practitioner_id_practitioners"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
    )
    op.create_index(
        "ix_waitlist_waiting",
        "waitlist_entries",
        ["date_from", "date_to"],
        unique=False,
        postgresql_where=sa.text("status = 'waiting'"),
    )
    op.create_table(
        "working_hours",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_working_hours_interval_valid")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_working_hours_weekday_valid")),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_working_hours_practitioner_id_practitioners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_hours")),
    )
    op.create_index(
        op.f("ix_working_hours_practitioner_id"), "working_hours", ["practitioner_id"], unique=False
    )
    op.create_table(
        "booking_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_booking_events_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_booking_events_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_events")),
    )
    op.create_index(
        op.f("ix_booking_events_booking_id"), "booking_events", ["booking_id"], unique=False
    )
    op.create_table(
        "booking_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.CheckConstraint("start_at < end_at", name=op.f("ck_booking_items_range_valid")),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_booking_items_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_booking_items_practitioner_id_practitioners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_booking_items_service_id_services"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_items")),
    )
    op.create_index(
        op.f("ix_booking_items_booking_id"), "booking_items", ["booking_id"], unique=False
    )
    op.create_index(
        "ix_booking_items_practitioner_start",
        "booking_items",
        ["practitioner_id", "start_at"],
        unique=False,
    )
    op.create_table(
        "booking_allocations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("practitioner_id", sa.Uuid(), nullable=True),
        sa.Column("resource_id", sa.Uuid(), nullable=True),
        sa.Column("during", postgresql.TSTZRANGE(), nullable=False),
        sa.Column("live", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        postgresql.ExcludeConstraint(
            (sa.column("practitioner_id"), "="),
            (sa.column("during"), "&&"),
            where=sa.text("live AND practitioner_id IS NOT NULL"),
            using="gist",
            name="no_double_booking_practitioner",
        ),
        postgresql.ExcludeConstraint(
            (sa.column("resource_id"), "="),
            (sa.column("during"), "&&"),
            where=sa.text("live AND resource_id IS NOT NULL"),
            using="gist",
            name="no_double_booking_resource",
        ),
        sa.CheckConstraint(
            "(practitioner_id IS NULL) <> (resource_id IS NULL)",
            name=op.f("ck_booking_allocations_one_holder"),
        ),
        sa.CheckConstraint("NOT isempty(during)", name=op.f("ck_booking_allocations_not_empty")),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_booking_allocations_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_booking_allocations_practitioner_id_practitioners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resources.id"],
            name=op.f("fk_booking_allocations_resource_id_resources"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_allocations")),
    )
    op.create_index(
        op.f("ix_booking_allocations_booking_id"),
        "booking_allocations",
        ["booking_id"],
        unique=False,
    )
    # The salon's booking rules are one row, present from the start with their defaults.
    op.execute("INSERT INTO booking_rules (id) VALUES (1)")


def downgrade() -> None:
    op.drop_index(op.f("ix_booking_allocations_booking_id"), table_name="booking_allocations")
    op.drop_table("booking_allocations")
    op.drop_index("ix_booking_items_practitioner_start", table_name="booking_items")
    op.drop_index(op.f("ix_booking_items_booking_id"), table_name="booking_items")
    op.drop_table("booking_items")
    op.drop_index(op.f("ix_booking_events_booking_id"), table_name="booking_events")
    op.drop_table("booking_events")
    op.drop_index(op.f("ix_working_hours_practitioner_id"), table_name="working_hours")
    op.drop_table("working_hours")
    op.drop_index(
        "ix_waitlist_waiting",
        table_name="waitlist_entries",
        postgresql_where=sa.text("status = 'waiting'"),
    )
    op.drop_table("waitlist_entries")
    op.drop_table("service_resources")
    op.drop_table("service_prerequisites")
    op.drop_index(op.f("ix_practitioner_services_service_id"), table_name="practitioner_services")
    op.drop_table("practitioner_services")
    op.drop_index("ix_bookings_start_at", table_name="bookings")
    op.drop_index(
        "ix_bookings_hold_expiry",
        table_name="bookings",
        postgresql_where=sa.text("status = 'pending_payment'"),
    )
    op.drop_index("ix_bookings_client_start", table_name="bookings")
    op.drop_table("bookings")
    op.drop_index("ix_blocks_practitioner_range", table_name="blocks")
    op.drop_table("blocks")
    op.drop_index("ix_absences_practitioner_range", table_name="absences")
    op.drop_table("absences")
    op.drop_index(op.f("ix_services_category_id"), table_name="services")
    op.drop_table("services")
    op.drop_table("practitioners")
    op.drop_index(
        "uq_clients_email", table_name="clients", postgresql_where=sa.text("email IS NOT NULL")
    )
    op.drop_index(op.f("ix_clients_phone"), table_name="clients")
    op.drop_table("clients")
    op.drop_index(op.f("ix_special_openings_on_date"), table_name="special_openings")
    op.drop_table("special_openings")
    op.drop_table("service_categories")
    op.drop_table("resources")
    op.drop_table("products")
    op.drop_table("opening_hours")
    op.drop_table("closures")
    op.drop_table("booking_rules")
