"""Price lists, effective-dated prices and the commercial director's register of planned work (PRICE-1, PRICE-2)."""
