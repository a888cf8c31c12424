"""Hypothesis profiles: "ci" (the default, `make test`) runs a small fixed set of examples and writes no
example database; "fuzz" (`make fuzz`) runs many more and remembers failures under .hypothesis/."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=50,
    deadline=5000,  # ms; generous on a shared machine, still catches a parser that hangs
    derandomize=True,  # the same examples on every run: a red CI is a real regression, never a new draw
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("fuzz", max_examples=2000, deadline=5000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
