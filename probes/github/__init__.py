"""Probes over the GitHub API view of a repo (needs github + repo) and of the organisation (github)."""
