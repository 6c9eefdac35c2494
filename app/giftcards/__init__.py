"""Gift cards: sold online or in the salon, a balance kept as a ledger, spent over several
visits, delivered as a PDF with a QR code."""
