"""Dispatching (DISP-1..3): the dispatcher's view of orders, and the optimizer's inputs built from central's state."""
