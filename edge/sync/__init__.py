"""The edge's side of sync: its outbox sent up, central's downstream log applied, the link's state."""
