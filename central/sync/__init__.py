"""Central's side of sync: the inbox that turns edge events into central state, the downstream log, the worker."""
