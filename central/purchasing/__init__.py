"""Purchasing work (DISP-3, PUR-1): supply orders and deficit lines, each with the purchasing manager who owns it."""
