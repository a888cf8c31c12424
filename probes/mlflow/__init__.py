"""Probes over an MLflow tracking server or local store (their signals: docs/probes.md)."""
