"""GitHub collector: targets github:ORG and github:ORG/REPO (see collector.py)."""
