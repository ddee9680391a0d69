"""No background work yet: overdue ledger items are computed when listed (selectors.overdue_items)."""
