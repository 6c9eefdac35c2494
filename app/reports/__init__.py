"""The till's reports for managers and owners: sales, best sellers, stock movements and cash
differences over a range of local dates (docs/till.md, "Reports")."""
