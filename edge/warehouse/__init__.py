"""The warehouse at one site: cells, stock per cell, receiving, moves, picking, shipping, counts (WH-1..9)."""
