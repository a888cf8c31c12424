"""Probes over a data catalog's facts (dbt artifacts, OpenMetadata, Unity Catalog): signals-reference §7.8."""
