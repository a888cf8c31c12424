"""aiops-scan: evidence-gathering scanner for the AIOps Maturity Model."""

__version__ = "0.1.0"
