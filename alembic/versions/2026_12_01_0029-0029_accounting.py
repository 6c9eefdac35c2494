"""accounting: the account mapping (seeded with PCG defaults), journals, fiscal years and
monthly periods, entries and their lines, and a deferred constraint trigger that refuses an
unbalanced entry at commit

Revision ID: 0029
Revises: 0028
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The PCG defaults the accountant starts from (docs/accounting.md); roles are app/accounting/chart.py's.
ACCOUNTS = [
    ("services_20", "706100", "Prestations de services TVA 20 %"),
    ("services_10", "706200", "Prestations de services TVA 10 %"),
    ("services_5_5", "706300", "Prestations de services TVA 5,5 %"),
    ("services_2_1", "706400", "Prestations de services TVA 2,1 %"),
    ("goods_20", "707100", "Ventes de marchandises TVA 20 %"),
    ("goods_10", "707200", "Ventes de marchandises TVA 10 %"),
    ("goods_5_5", "707300", "Ventes de marchandises TVA 5,5 %"),
    ("goods_2_1", "707400", "Ventes de marchandises TVA 2,1 %"),
    ("vat_20", "445711", "TVA collectée 20 %"),
    ("vat_10", "445712", "TVA collectée 10 %"),
    ("vat_5_5", "445713", "TVA collectée 5,5 %"),
    ("vat_2_1", "445714", "TVA collectée 2,1 %"),
    ("cash", "530000", "Caisse"),
    ("bank", "512000", "Banque"),
    ("sumup", "467100", "SumUp - compte d'attente"),
    ("stripe", "467200", "Stripe - compte d'attente"),
    ("paypal", "467300", "PayPal - compte d'attente"),
    ("deposits", "419100", "Clients - arrhes et acomptes reçus"),
    ("gift_cards", "419800", "Clients - cartes cadeaux"),
    ("tips_owed", "428600", "Personnel - pourboires à reverser"),
    ("other_income", "758000", "Produits divers de gestion courante"),
    ("kept_deposits", "758100", "Arrhes conservées (hors champ TVA)"),
    ("fees", "627800", "Frais sur moyens de paiement"),
    ("clients", "411000", "Clients"),
    ("result_profit", "120000", "Résultat de l'exercice (bénéfice)"),
    ("result_loss", "129000", "Résultat de l'exercice (perte)"),
]
JOURNALS = [
    ("VE", "Ventes"),
    ("CA", "Caisse"),
    ("BQ", "Banque"),
    ("ST", "Stripe"),
    ("PP", "PayPal"),
    ("SU", "SumUp"),
    ("OD", "Opérations diverses"),
    ("AN", "À-nouveaux"),
]

BALANCED = """
CREATE FUNCTION accounting_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry uuid := COALESCE(NEW.entry_id, OLD.entry_id);
    debit bigint;
    credit bigint;
    lines integer;
BEGIN
    SELECT COALESCE(SUM(debit_cents), 0), COALESCE(SUM(credit_cents), 0), COUNT(*)
      INTO debit, credit, lines
      FROM accounting_entry_lines WHERE entry_id = entry;
    IF lines > 0 AND (debit <> credit OR lines < 2) THEN
        RAISE EXCEPTION 'accounting entry % is not balanced (debit %, credit %)',
            entry, debit, credit USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER accounting_entry_balanced
    AFTER INSERT OR UPDATE OR DELETE ON accounting_entry_lines
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION accounting_entry_balanced();
"""


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "accounting_accounts",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "number ~ '^[1-7][0-9A-Z]{1,19}$'", name=op.f("ck_accounting_accounts_number_valid")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_accounting_accounts")),
    )
    op.create_table(
        "accounting_fiscal_years",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_accounting_fiscal_years")),
    )
    op.create_table(
        "accounting_journals",
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_accounting_journals")),
    )
    op.create_table(
        "accounting_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("journal_code", sa.String(length=4), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("document_ref", sa.String(length=60), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("source_key", sa.String(length=120), nullable=False),
        sa.Column("journal_record_id", sa.Uuid(), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("refund_id", sa.Uuid(), nullable=True),
        sa.Column("gift_card_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source_kind IN ('ticket', 'credit_ticket', 'payment', 'refund', 'gift_card_expiry', 'deposit_kept')",
            name=op.f("ck_accounting_entries_source_kind_valid"),
        ),
        sa.CheckConstraint("number > 0", name=op.f("ck_accounting_entries_number_positive")),
        sa.ForeignKeyConstraint(
            ["fiscal_year"],
            ["accounting_fiscal_years.year"],
            name=op.f("fk_accounting_entries_fiscal_year_accounting_fiscal_years"),
        ),
        sa.ForeignKeyConstraint(
            ["journal_code"],
            ["accounting_journals.code"],
            name=op.f("fk_accounting_entries_journal_code_accounting_journals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_entries")),
        sa.UniqueConstraint(
            "journal_code",
            "fiscal_year",
            "number",
            name=op.f("uq_accounting_entries_journal_code_fiscal_year_number"),
        ),
        sa.UniqueConstraint("source_key", name=op.f("uq_accounting_entries_source_key")),
    )
    op.create_index(
        "ix_accounting_entries_date", "accounting_entries", ["entry_date"], unique=False
    )
    op.create_table(
        "accounting_periods",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_by_user_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "month BETWEEN 1 AND 12", name=op.f("ck_accounting_periods_month_valid")
        ),
        sa.ForeignKeyConstraint(
            ["locked_by_user_id"],
            ["users.id"],
            name=op.f("fk_accounting_periods_locked_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["year"],
            ["accounting_fiscal_years.year"],
            name=op.f("fk_accounting_periods_year_accounting_fiscal_years"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_periods")),
        sa.UniqueConstraint("year", "month", name=op.f("uq_accounting_periods_year_month")),
    )
    op.create_table(
        "accounting_entry_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=40), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("account_label", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("debit_cents", sa.BigInteger(), nullable=False),
        sa.Column("credit_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_base_cents", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "debit_cents >= 0 AND credit_cents >= 0 AND (debit_cents = 0) <> (credit_cents = 0)",
            name=op.f("ck_accounting_entry_lines_one_side"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["accounting_entries.id"],
            name=op.f("fk_accounting_entry_lines_entry_id_accounting_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_entry_lines")),
        sa.UniqueConstraint(
            "entry_id", "position", name=op.f("uq_accounting_entry_lines_entry_id_position")
        ),
    )
    op.create_index(
        "ix_accounting_entry_lines_account",
        "accounting_entry_lines",
        ["account_number"],
        unique=False,
    )
    op.execute(BALANCED)
    accounts = sa.table(
        "accounting_accounts",
        sa.column("key", sa.String),
        sa.column("number", sa.String),
        sa.column("label", sa.String),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        accounts,
        [{"key": k, "number": n, "label": label, "updated_at": now} for k, n, label in ACCOUNTS],
    )
    journals = sa.table(
        "accounting_journals", sa.column("code", sa.String), sa.column("label", sa.String)
    )
    op.bulk_insert(journals, [{"code": c, "label": label} for c, label in JOURNALS])


def downgrade() -> None:
    op.execute("DROP TRIGGER accounting_entry_balanced ON accounting_entry_lines")
    op.execute("DROP FUNCTION accounting_entry_balanced()")
    op.drop_index("ix_accounting_entry_lines_account", table_name="accounting_entry_lines")
    op.drop_table("accounting_entry_lines")
    op.drop_table("accounting_periods")
    op.drop_index("ix_accounting_entries_date", table_name="accounting_entries")
    op.drop_table("accounting_entries")
    op.drop_table("accounting_journals")
    op.drop_table("accounting_fiscal_years")
    op.drop_table("accounting_accounts")
