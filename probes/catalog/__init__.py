"""Probes over a data catalog's facts (dbt artifacts, OpenMetadata, Unity Catalog); docs/probes.md lists
their signals."""
