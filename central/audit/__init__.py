"""The audit log (ACC-1): every action, append-only, hash-chained so tampering is detectable."""
