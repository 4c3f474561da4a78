"""Delivery routes (OPT-3, LOG-1): own vans with capacities, shifts and time windows versus a carrier's tariff."""
