"""Hardware at the edge: scanner input and barcode interpretation, as plain values that know nothing of stock."""
