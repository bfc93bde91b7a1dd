"""Embedded demo checkpoint: a tiny customer-service intent classifier (see train.py)."""
from pathlib import Path

CHECKPOINT_DIR = Path(__file__).parent / "checkpoint"

# The bundle directory `edgepack build` (no checkpoint argument) writes.
BUNDLE_NAME = "demo-intent-classifier"
