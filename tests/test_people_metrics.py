"""Post-deployment metrics in the application's own code are recognised; imports alone, metrics in tests,
examples or docs are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.people_metrics import SIGNAL, app_metrics
from scanner.model import Outcome
from scanner.testing import run_on_repo

PROM_PY = "from prometheus_client import Counter\n\nANSWERS = Counter('answers_total', 'answers')\n"
PROM_RB = (
    "class PrometheusMetrics\n  def self.register\n    PrometheusExporter::Client.default.register(\n"
    "      :counter, 'answer_count', 'answers'\n    )\n  end\nend\n"
)
SNOWPLOW = (
    "from snowplow_tracker import Tracker, SelfDescribingJson\n\n"
    "async def track(tracker, event):\n    tracker.track_self_describing_event(event)\n"
)
OTEL = "from opentelemetry import metrics\n\nmeter = metrics.get_meter(__name__)\nc = meter.create_counter('preds')\n"
CASES = [
    ("prometheus python", {"app/metrics.py": PROM_PY}, True),
    ("prometheus ruby exporter", {"lib/prometheus_metrics.rb": PROM_RB}, True),
    ("snowplow events", {"app/tracking/tracker.py": SNOWPLOW}, True),
    ("opentelemetry meter", {"src/svc/telemetry.py": OTEL}, True),
    # look-alikes that must not count
    ("import without a metric", {"app/metrics.py": "import prometheus_client\n"}, False),
    ("metrics only in tests", {"tests/test_metrics.py": PROM_PY}, False),
    ("metrics only in examples", {"examples/serve.py": PROM_PY}, False),
    ("metrics only in docs", {"docs/metrics.md": PROM_PY}, False),
    (
        "a Counter that is not a metric",
        {"app/count.py": "from collections import Counter\n\nc = Counter('abc')\n"},
        False,
    ),
]


@pytest.mark.parametrize(("label", "files", "expected"), CASES, ids=[c[0] for c in CASES])
def test_app_metrics(tmp_path: Path, label: str, files: dict[str, str | bytes], expected: bool) -> None:
    found = run_on_repo(app_metrics, tmp_path, files).finding
    assert found.signal == SIGNAL
    assert (found.outcome is Outcome.TRUE) is expected, found.message
