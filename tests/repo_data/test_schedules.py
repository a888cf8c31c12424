"""Scheduled data jobs outside data orchestrators."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.data_schedules import JOBS, data_schedules
from scanner.testing import run_on_repo, truth

BEAT = """from celery import Celery

app = Celery("w")
app.conf.beat_schedule = {
    "check-indexing": {"task": "tasks.check_for_indexing", "schedule": 60},
}
"""
BEAT_MAIL = BEAT.replace("check_for_indexing", "send_digest_mail").replace("check-indexing", "digest")
CRONJOB = """apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              args:
                - python -m ingest.build_index /tmp/articles.jsonl
"""
TC_CRON = (
    "jobs:\n  - name: update-db\n    when:\n      - {hour: 0}\n  - name: run-tests\n    when:\n      - {hour: 1}\n"
)

WORKFLOW = """name: sync
on:
  schedule:
    - cron: '0 2 * * *'
jobs:
  sync:
    runs-on: ubuntu-latest
    steps:
      - run: python .github/scripts/publish.py
"""
PUBLISH = "import boto3\n\nboto3.client('s3').put_object(Bucket='b', Key='k', Body=b'')\n"

CASES = [
    (
        "scheduled workflow publishing data",
        {".github/workflows/s.yml": WORKFLOW, ".github/scripts/publish.py": PUBLISH},
        True,
    ),
    (
        "scheduled workflow running a script without data i/o",
        {".github/workflows/s.yml": WORKFLOW, ".github/scripts/publish.py": "print('hello')\n"},
        False,
    ),
    (
        "push-triggered workflow publishing data",
        {
            ".github/workflows/s.yml": WORKFLOW.replace("schedule:\n    - cron: '0 2 * * *'", "push:"),
            ".github/scripts/publish.py": PUBLISH,
        },
        False,
    ),
    ("celery beat indexing task", {"app/beat.py": BEAT}, True),
    ("celery beat mailing task", {"app/beat.py": BEAT_MAIL}, False),
    ("beat schedule in tests", {"tests/beat.py": BEAT}, False),
    ("kubernetes cronjob running an ingestion", {"charts/app/templates/cron.yaml": CRONJOB}, True),
    ("cronjob in examples", {"examples/cron.yaml": CRONJOB}, False),
    ("cronjob running a report", {"k8s/cron.yaml": CRONJOB.replace("ingest.build_index", "report.mail")}, False),
    ("taskcluster cron refreshing a db", {".cron.yml": TC_CRON}, True),
    (
        "taskcluster cron running tests only",
        {".cron.yml": TC_CRON.split("  - name: run-tests")[0].replace("update-db", "nightly-tests")},
        False,
    ),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_scheduled_data_jobs(tmp_path: Path, files: dict[str, str], expected: bool) -> None:
    assert truth(run_on_repo(data_schedules, tmp_path, files)[JOBS]) is expected
