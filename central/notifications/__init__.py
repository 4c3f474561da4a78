"""Notifications: one mechanism for every capability — a row in each recipient's in-app inbox, then e-mail."""
