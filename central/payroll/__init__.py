"""Payroll for a month (PROD-3, REP-10): piecework, hourly, salary, and sales managers' percentage."""
