"""Orders and reservations (ORD-1..10): stock check, deficit, fulfilment variants, reserves."""
