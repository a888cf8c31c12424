"""Acme's own probes for aiops-scan (an example plugin: see README.md)."""
