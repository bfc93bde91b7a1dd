"""Emulators that run built artifacts on hosts where their runtime does not exist."""
