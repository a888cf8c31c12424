"""Probes over an MLflow tracking server or local store (signals-reference §7.7)."""
