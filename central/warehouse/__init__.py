"""Receiving against expected receipts, the claims register, count tasks and count sheets (WH-5, WH-7, WH-9)."""
