"""The Ruby (and TypeScript/JavaScript) pass of the data probes (no probes here): Rails apps load gems
without `require`, so a file's SDK is read from the constants or package names it mentions, and a call
counts only in a file that names that SDK. Every regex is bounded.

- store I/O: a warehouse or object-storage client (`Google::Cloud::Bigquery`, `Aws::S3`,
  `Google::Cloud::Storage`, `@google-cloud/bigquery`, `@aws-sdk/client-s3`...) named and used (a client
  constructor, a load/insert/query, an object transfer) in the repo's own code;
- ActiveRecord models (`class X < ApplicationRecord` / `ActiveRecord::Base`);
- message-queue consumers that ingest data (Bunny subscriptions, Sneakers/Karafka/Racecar consumers,
  a message-queue consumer gem, kafkajs/amqplib/SQS consumers);
- rake tasks doing data work: a `task` block that bulk-writes or deletes records (`delete_all`,
  `insert_all`, `upsert_all`...) or hands over to an exporter/importer/sync class.
"""

from __future__ import annotations

import re

from probes.repo._data import COMMENT_LINE, line_of
from scanner.facts.paths import CODE
from scanner.facts.repo_index import RepoIndex
from scanner.model import Location

RB_JS = (".rb", ".ts", ".js", ".mjs", ".cjs")
# (SDK mention, use in the same file, kind)
STORE_SDKS: tuple[tuple[re.Pattern[str], re.Pattern[str], str], ...] = tuple(
    (re.compile(sdk), re.compile(use), kind)
    for sdk, use, kind in (
        (
            r"Google::Cloud::Bigquery\b|google/cloud/bigquery|@google-cloud/bigquery",
            r"\bGoogle::Cloud::Bigquery\.new\b|\bnew\s{1,3}BigQuery\s{0,3}\(|"
            r"\.(?:load_job|load|insert|insert_rows|query_job|create_query_job|create_table|createTable)\s{0,3}[(\s]",
            "warehouse",
        ),
        (
            r"\bAws::S3::|@aws-sdk/client-s3|@aws-sdk/lib-storage",
            r"\bAws::S3::(?:Client|Resource)\.new\b|\bnew\s{1,3}(?:S3Client|Upload)\s{0,3}\(|"
            r"\b(?:PutObject|GetObject)Command\b|\.(?:put_object|get_object|upload_file|download_file)\b",
            "object_storage",
        ),
        (
            r"Google::Cloud::Storage\b|google/cloud/storage|@google-cloud/storage",
            r"\bGoogle::Cloud::Storage\.new\b|\bnew\s{1,3}Storage\s{0,3}\(|"
            r"\.(?:create_file|upload_file|download|createWriteStream|createReadStream)\b",
            "object_storage",
        ),
        (
            r"Azure::Storage::Blob|@azure/storage-blob",
            r"\bBlobServiceClient\b|\bAzure::Storage::Blob::BlobService\.create\b|\.create_block_blob\b",
            "object_storage",
        ),
    )
)
# (broker client mention, consumption in the same file)
QUEUE_CONSUMERS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(client), re.compile(use))
    for client, use in (
        (r"\bBunny\.new\b", r"\.subscribe\s{0,3}[(\s]"),
        (r"\bSneakers::Worker\b", r"\bdef\s{1,3}work\b"),
        (r"\bKarafka::BaseConsumer\b|\bRacecar::Consumer\b", r"\bdef\s{1,3}(?:consume|process)\b"),
        (r"\bMessageQueueConsumer::Consumer\b", r"\bMessageQueueConsumer::Consumer\.new\b"),
        (r"\bkafkajs\b", r"\.consumer\s{0,3}\("),
        (r"\bamqplib\b", r"\.consume\s{0,3}\("),
        (r"@aws-sdk/client-sqs", r"\bReceiveMessageCommand\b"),
    )
)
AR_MODEL = re.compile(r"(?m)^\s{0,8}class\s{1,3}(\w{1,80})\s{0,3}<\s{0,3}(?:ApplicationRecord|ActiveRecord::Base)\b")
TASK = re.compile(r"(?m)^\s{0,8}task\s{1,3}:?[\"']?(\w{1,80})")
# data written or deleted in bulk, or a hand-over to a class that moves data
RAKE_DATA_WORK = re.compile(
    r"\.(?:delete_all|destroy_all|insert_all!?|upsert_all|update_all|delete_by|destroy_by)\b|"
    r"\b(?:[A-Z]\w{0,60}::){0,4}\w{0,60}(?:Export|Import|Sync|Synchroni[sz]|Ingest|Backfill|Load|Index)(?:er|or)?\w{0,30}"
    r"\.(?:call|new|run|perform_now|perform_async|perform_later)\b"
)


def _code_lines(text: str) -> str:
    """The text with comment lines blanked (line numbers kept)."""
    return "\n".join("" if COMMENT_LINE.match(ln) else ln for ln in text.split("\n"))


def _texts(index: RepoIndex, suffixes: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(p, _code_lines(index.text(p) or "")) for p in index.by_suffix(*suffixes, kinds={CODE})]


def store_io(index: RepoIndex) -> tuple[list[Location], set[str]]:
    out: list[Location] = []
    kinds: set[str] = set()
    for path, text in _texts(index, RB_JS):
        for sdk, use, kind in STORE_SDKS:
            if not sdk.search(text):
                continue
            m = use.search(text)
            if m:
                kinds.add(kind)
                out.append(index.location(path, line_of(text, m.start()), m.group(0).strip()))
                break
    return out, kinds


def queue_consumers(index: RepoIndex) -> list[Location]:
    """Files of the repo's own code that consume a message queue (data ingested from a broker)."""
    out: list[Location] = []
    for path, text in _texts(index, (*RB_JS, ".rake")):
        for client, use in QUEUE_CONSUMERS:
            m = use.search(text) if client.search(text) else None
            if m:
                out.append(index.location(path, line_of(text, m.start()), m.group(0).strip()))
                break
    return out


def active_record_models(index: RepoIndex) -> list[Location]:
    out: list[Location] = []
    for path, text in _texts(index, (".rb",)):
        m = AR_MODEL.search(text)
        if m and m.group(1) != "ApplicationRecord":
            out.append(index.location(path, line_of(text, m.start()), m.group(0).strip()))
    return out


def rake_data_tasks(index: RepoIndex) -> list[Location]:
    """Rake tasks whose body (up to the next task) writes, deletes or exports data."""
    out: list[Location] = []
    for path, text in _texts(index, (".rake",)):
        starts = [m.start() for m in TASK.finditer(text)]
        for i, start in enumerate(starts):
            body = text[start : starts[i + 1] if i + 1 < len(starts) else len(text)]
            m = RAKE_DATA_WORK.search(body)
            if m:
                out.append(index.location(path, line_of(text, start), text[start:].split("\n", 1)[0].strip()))
                break
    return out
