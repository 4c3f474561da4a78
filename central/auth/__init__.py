"""Staff and customer authentication."""
