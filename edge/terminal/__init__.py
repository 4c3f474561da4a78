"""The handheld terminal: a scan session per workstation that turns scans into warehouse commands."""
