"""Reads of a seller's catalogue."""
