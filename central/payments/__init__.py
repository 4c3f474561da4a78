"""Incoming payments (ORD-9): entered by hand or imported from bank statements (INT-2), matched to invoices."""
