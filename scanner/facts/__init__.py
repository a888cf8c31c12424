"""The pure layer: facts and the vocabulary to classify them, with no I/O.

Probes import from here (and from scanner.model, scanner.probekit, scanner.views), never from
scanner.collectors, which does the reading (git, HTTP, files). Checked by import-linter (`make lint`)."""
