"""Changes to a seller's catalogue: the only writers of catalogue items and their log."""
