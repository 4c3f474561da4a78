"""Documents the office issues: contracts, invoices, TORG-12/UPD, waybills — and the money texts on them."""
