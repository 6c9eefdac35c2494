"""What other domains may use of invoicing: issuing the invoice of a completed sale (the
accounting follows the documents through their rows, later through an event)."""

from __future__ import annotations

from app.invoicing.errors import InvoiceAlreadyIssued, InvoiceSourceNotFound
from app.invoicing.service import issue_invoice

__all__ = ["InvoiceAlreadyIssued", "InvoiceSourceNotFound", "issue_invoice"]
