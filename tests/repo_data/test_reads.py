"""Data work outside data platforms: dataset reads, shared-store SDK I/O and app databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from probes.repo.data_reads import APP_DB, READS, STORE_IO, data_reads
from scanner.testing import labels, run_on_repo, truth


def notebook(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells]})


FEATURE_STORE = "c = s.client('sagemaker-featurestore-runtime')\nc.batch_get_record(Identifiers=[])\n"

CASES = [
    (
        "torchvision dataset in a training script",
        {"main.py": "from torchvision import datasets\nds = datasets.ImageFolder(args.data_path)\n"},
        {READS: True},
        {READS: ["main.py:2"]},
    ),
    (
        "pandas read in a module",
        {"src/prep.py": "import pandas as pd\n\n\ndef load(p):\n    return pd.read_csv(p)\n"},
        {READS: True},
        {READS: ["src/prep.py:5"]},
    ),
    (
        "document loader of a RAG ingestion",
        {"src/ingest.py": "import pymupdf4llm\n\ntext = pymupdf4llm.to_markdown(path)\n"},
        {READS: True},
        {},
    ),
    ("read only in tests", {"tests/test_x.py": "import pandas as pd\npd.read_csv('x.csv')\n"}, {}, {}),
    ("read only in examples", {"examples/demo.py": "import pandas as pd\npd.read_csv('x.csv')\n"}, {}, {}),
    ("a method named read_csv on an own class", {"src/x.py": "class R:\n    def read_csv(self): ...\n"}, {}, {}),
    (
        "boto3 transfer",
        {"jobs/sync.py": "import boto3\ns3 = boto3.client('s3')\ns3.upload_file('a', 'b', 'c')\n"},
        {STORE_IO: True},
        {STORE_IO: ["jobs/sync.py:3"]},
    ),
    (
        "delta table on object storage",
        {"pkg/store.py": "import deltalake\n\ndeltalake.write_deltalake('t', df, storage_options=o)\n"},
        {STORE_IO: True},
        {},
    ),
    ("local delta table", {"pkg/store.py": "import deltalake\n\ndeltalake.write_deltalake('data/t', df)\n"}, {}, {}),
    (
        "sagemaker feature store records",
        {"app/features.py": FEATURE_STORE},
        {STORE_IO: True},
        {},
    ),
    ("get_record without a feature store", {"app/cache.py": "def f(c):\n    return c.get_record('k')\n"}, {}, {}),
    ("boto3 imported but unused", {"jobs/sync.py": "import boto3\n"}, {}, {}),
    ("upload_file without a storage SDK", {"app.py": "def f(x):\n    x.upload_file('a')\n"}, {}, {}),
    (
        "bigquery write",
        {"src/out.py": "import pandas as pd\n\n\ndef save(df):\n    df.to_gbq('ds.t', project_id='p')\n"},
        {STORE_IO: True},
        {},
    ),
    (
        "django models and migrations",
        {
            "app/models.py": "from django.db import models\n\n\nclass Chat(models.Model):\n    name = 1\n",
            "app/migrations/0001_initial.py": "from django.db import migrations\n",
        },
        {APP_DB: True},
        {APP_DB: ["app/migrations/0001_initial.py", "app/models.py:4"]},
    ),
    ("rails migrations", {"db/migrate/20240101_create_users.rb": "class CreateUsers; end\n"}, {APP_DB: True}, {}),
    ("a class named Model without an ORM", {"src/m.py": "class Net(nn.Model):\n    pass\n"}, {}, {}),
    ("migrations in tests", {"tests/migrations/0001_initial.py": "x = 1\n"}, {}, {}),
]


@pytest.mark.parametrize(("name", "files", "expected", "where"), CASES, ids=[c[0] for c in CASES])
def test_data_reads(tmp_path: Path, name: str, files: dict[str, str], expected: dict, where: dict) -> None:
    found = run_on_repo(data_reads, tmp_path, files)
    for signal in (READS, STORE_IO, APP_DB):
        assert truth(found[signal]) is expected.get(signal, False), (name, signal, found[signal].message)
    for signal, locs in where.items():
        assert labels(found[signal]) == locs


def test_notebook_reads_are_low_confidence(tmp_path: Path) -> None:
    found = run_on_repo(
        data_reads, tmp_path, {"analysis.ipynb": notebook("import pandas as pd", "df = pd.read_csv('a.csv')")}
    )
    assert truth(found[READS]) and found[READS].confidence == "low"


def test_ingestion_into_a_vector_index_counts_and_a_plain_add_does_not(tmp_path: Path) -> None:
    ingest = "import chromadb\n\ncol = chromadb.HttpClient().get_collection('x')\ncol.add(ids=['1'], documents=['t'])\n"
    assert truth(run_on_repo(data_reads, tmp_path / "a", {"ingest/build.py": ingest})[READS])
    plain = "s = set()\ns.add(1)\n"
    assert not truth(run_on_repo(data_reads, tmp_path / "b", {"app/x.py": plain})[READS])


BQ_RB = (
    'require "google/cloud/bigquery"\n\nclass Uploader\n  def call\n'
    "    dataset = Google::Cloud::Bigquery.new.dataset('d')\n    dataset.load_job('t', file)\n  end\nend\n"
)
RUBY_CASES = [
    ("bigquery client in a Rails lib", {"lib/bigquery/uploader.rb": BQ_RB}, {STORE_IO: True}),
    ("bigquery client only in spec/", {"spec/lib/uploader_spec.rb": BQ_RB}, {}),
    ("bigquery gem in the Gemfile only", {"Gemfile": 'gem "google-cloud-bigquery"\n'}, {}),
    ("bigquery named in a comment only", {"lib/x.rb": "# Google::Cloud::Bigquery.new later\nclass X; end\n"}, {}),
    (
        "s3 transfer in ruby",
        {"app/services/archive.rb": "class A\n  def s3 = Aws::S3::Client.new\n  def f = s3.put_object(b)\nend\n"},
        {STORE_IO: True},
    ),
    (
        "s3 client in typescript",
        {"src/store.ts": "import { S3Client } from '@aws-sdk/client-s3';\nconst c = new S3Client({});\n"},
        {STORE_IO: True},
    ),
    ("put_object without an s3 sdk", {"app/x.rb": "class X\n  def f = cache.put_object(k)\nend\n"}, {}),
    ("activerecord models", {"app/models/question.rb": "class Question < ApplicationRecord\nend\n"}, {APP_DB: True}),
    ("abstract application record alone", {"app/models/a.rb": "class ApplicationRecord < ActiveRecord::Base\n"}, {}),
    ("activerecord models in spec", {"spec/support/q.rb": "class Q < ApplicationRecord\nend\n"}, {}),
]


@pytest.mark.parametrize(("name", "files", "expected"), RUBY_CASES, ids=[c[0] for c in RUBY_CASES])
def test_ruby_and_js_data_work(tmp_path: Path, name: str, files: dict[str, str], expected: dict) -> None:
    found = run_on_repo(data_reads, tmp_path, files)
    for signal in (READS, STORE_IO, APP_DB):
        assert truth(found[signal]) is expected.get(signal, False), (name, signal, found[signal].message)


CONSUMER_RAKE = "task consume: :environment do\n  MessageQueueConsumer::Consumer.new(queue_name: q).run\nend\n"
BUNNY = "ch = Bunny.new.start.create_channel\n"
KAFKA_TS = "import { Kafka } from 'kafkajs';\nconst consumer = kafka.consumer({ groupId: 'ingest' });\n"
CONSUMER_CASES = [
    ("message-queue consumer in a rake task", {"lib/tasks/message_queue.rake": CONSUMER_RAKE}, True),
    ("kafkajs consumer in typescript", {"src/ingest.ts": KAFKA_TS}, True),
    (
        "bunny subscription",
        {"lib/listener.rb": BUNNY + "q.subscribe(block: true) { }\n"},
        True,
    ),
    ("consumer only in spec/", {"spec/lib/mq_spec.rb": CONSUMER_RAKE}, False),
    (
        "a bunny publisher that never consumes",
        {"lib/pub.rb": BUNNY + "x.publish(m)\n"},
        False,
    ),
    ("subscribe without a broker client", {"app/x.rb": "class X\n  def f = events.subscribe(:y)\nend\n"}, False),
]


@pytest.mark.parametrize(("name", "files", "expected"), CONSUMER_CASES, ids=[c[0] for c in CONSUMER_CASES])
def test_queue_consumers_are_data_reads(tmp_path: Path, name: str, files: dict[str, str], expected: bool) -> None:
    assert truth(run_on_repo(data_reads, tmp_path, files)[READS]) is expected, name
