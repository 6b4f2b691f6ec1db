"""Reading chat exports into the qunguan archive."""
