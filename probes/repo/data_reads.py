"""Data work outside data platforms: code that reads datasets, code that talks to a shared remote store
through its SDK, and databases the application owns.

code.data_reads: the repo's own code (not tests, examples or docs) reads datasets: dataframe readers
(`pd.read_csv`, `pl.read_parquet`...), dataset libraries (`torchvision.datasets.*`, `tfds.load`,
`datasets.load_dataset`, `sklearn.datasets.fetch_*`), downloads (`urlretrieve`), warehouse queries
(`read_gbq`), document loaders of ingestion code (LangChain loaders, `pymupdf4llm`, `unstructured`) and
writes into a vector index (`add_documents`, `collection.add(ids=..., documents=...)`), and, in Ruby
and TypeScript/JavaScript, message-queue consumers ingesting data (data_rbscan.py).
Medium in modules, low when only notebooks read data.
code.shared_store_io: code reads or writes a shared remote store through its SDK: object storage
(boto3 S3 transfers, `google.cloud.storage`, `azure.storage.blob`, obstore clients, Delta tables opened
with `storage_options`) or a warehouse client (BigQuery,
Snowflake, Redshift, Athena, Databricks SQL, `to_gbq`) or a feature store (Feast, SageMaker Feature Store
records); in Ruby and TypeScript/JavaScript, BigQuery, S3, GCS and Azure Blob clients (data_rbscan.py).
Only calls count; an import or a Gemfile line alone does not.
repo.app_database: the application keeps its data in a database it defines in code: ORM models
(Django `models.Model`, SQLAlchemy declarative classes, ActiveRecord models) or schema migrations
(Alembic versions, Django migrations, Rails `db/migrate`, Prisma schemas).
"""

from __future__ import annotations

from probes.repo import data_rbscan
from probes.repo._data import code_confidence, loc, unavailable_all
from scanner.facts.paths import CODE, path_parts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

READS, STORE_IO, APP_DB = "code.data_reads", "code.shared_store_io", "repo.app_database"

FRAME_READERS = tuple(
    f"{lib}.{fn}"
    for lib in ("pandas", "polars", "modin.pandas", "dask.dataframe", "pyarrow.parquet", "pyarrow.csv")
    for fn in (
        "read_csv",
        "read_parquet",
        "read_json",
        "read_excel",
        "read_feather",
        "read_table",
        "read_ndjson",
        "read_gbq",
        "read_sql",
        "read_sql_query",
        "read_sql_table",
        "scan_csv",
        "scan_parquet",
    )
)
DATASET_PREFIXES = (
    "torchvision.datasets",
    "torchaudio.datasets",
    "torchtext.datasets",
    "tensorflow_datasets.load",
    "tensorflow.keras.datasets",
    "keras.datasets",
    "datasets.load_dataset",
    "datasets.load_from_disk",
    "kaggle.api",
    "langchain_community.document_loaders",
    "langchain.document_loaders",
    "llama_index.core.SimpleDirectoryReader",
    "pymupdf4llm.to_markdown",
    "unstructured.partition",
    "pypdf.PdfReader",
    "PyPDF2.PdfReader",
    "docling.document_converter",
)
DATASET_CALLS = ("urllib.request.urlretrieve", "tensorflow.keras.utils.get_file", "keras.utils.get_file")
SKLEARN_FETCH = "sklearn.datasets"
INDEX_WRITES = ("add_documents", "add_texts", "from_documents", "from_texts")  # ingestion into a vector index
VECTOR_SDKS = ("chromadb", "qdrant_client", "pinecone", "weaviate", "pymilvus", "lancedb", "langchain", "llama_index")
VECTOR_UPSERTS = ("add", "upsert", "upload_points", "insert")
OBJECT_STORE_CALLS = (
    "upload_file",
    "download_file",
    "upload_fileobj",
    "download_fileobj",
    "put_object",
    "get_object",
    "upload_from_filename",
    "upload_from_string",
    "download_to_filename",
    "download_as_bytes",
    "download_as_text",
    "upload_blob",
    "download_blob",
)
OBJECT_STORE_SDKS = ("boto3", "google.cloud.storage", "azure.storage.blob", "storages.backends", "s3fs", "gcsfs")
WAREHOUSE_PREFIXES = (
    "google.cloud.bigquery.Client",
    "pandas_gbq",
    "snowflake.connector.connect",
    "redshift_connector.connect",
    "awswrangler.athena",
    "awswrangler.redshift",
    "databricks.sql.connect",
    "pyathena.connect",
)
WAREHOUSE_METHODS = ("to_gbq", "read_gbq")
FEATURE_STORE_CALLS = ("get_online_features", "get_historical_features", "batch_get_record", "get_record", "put_record")
FEATURE_STORE_HINTS = ("sagemaker-featurestore-runtime", "feast", "FeatureStoreClient", "featurestore")
OBJECT_STORE_CLIENTS = ("obstore.store.S3Store", "obstore.store.GCSStore", "obstore.store.AzureStore")
LAKE_IO = ("write_deltalake", "write_delta", "read_delta", "scan_delta", "DeltaTable")  # remote with storage_options
ORM_BASES = ("models.Model", "django.db.models.Model", "DeclarativeBase", "Base", "SQLModel")


def _reads(index: RepoIndex) -> list[Location]:
    out: list[Location] = []
    for path in index.python_files(kinds={CODE}):
        facts = index.python(path)
        if facts is None:
            continue
        calls = facts.calls_to(*FRAME_READERS, *DATASET_CALLS) + facts.calls_under(*DATASET_PREFIXES)
        calls += [
            c for c in facts.calls_under(SKLEARN_FETCH) if c.name.rsplit(".", 1)[-1].startswith(("fetch_", "load_"))
        ]
        if facts.imported(*VECTOR_SDKS) is not None:
            calls += facts.calls_to(*INDEX_WRITES)
            upserts = facts.calls_to(*VECTOR_UPSERTS)
            calls += [c for c in upserts if "." in c.name and {"ids", "documents"} & set(c.kwargs)]
        if calls:
            first = min(calls, key=lambda c: c.line)
            out.append(loc(index, path, first.line, f"{first.name}(...)"))
    return out + data_rbscan.queue_consumers(index)


def _store_io(index: RepoIndex) -> tuple[list[Location], set[str]]:
    out: list[Location] = []
    kinds: set[str] = set()
    for path in index.python_files(kinds={CODE}):
        facts = index.python(path)
        if facts is None:
            continue
        found = []
        if facts.imported(*OBJECT_STORE_SDKS) is not None:
            transfers = facts.calls_to(*OBJECT_STORE_CALLS)
            if transfers:
                found.append(transfers[0])
                kinds.add("object_storage")
        lake = facts.calls_under(*OBJECT_STORE_CLIENTS)
        lake += [c for c in facts.calls_to(*LAKE_IO) if "storage_options" in c.kwargs]
        if lake:
            found.append(lake[0])
            kinds.add("object_storage")
        text = index.text(path) or ""
        if any(h in text for h in FEATURE_STORE_HINTS):
            features = facts.calls_to(*FEATURE_STORE_CALLS)
            if features:
                found.append(features[0])
                kinds.add("feature_store")
        warehouse = facts.calls_under(*WAREHOUSE_PREFIXES) + facts.calls_to(*WAREHOUSE_METHODS)
        if warehouse:
            found.append(warehouse[0])
            kinds.add("warehouse")
        if found:
            first = min(found, key=lambda c: c.line)
            out.append(loc(index, path, first.line, f"{first.name}(...)"))
    other, other_kinds = data_rbscan.store_io(index)
    return out + other, kinds | other_kinds


def _orm_models(index: RepoIndex) -> list[Location]:
    out: list[Location] = []
    for path in index.python_files(notebooks=False, kinds={CODE}):
        facts = index.python(path)
        if facts is None or facts.imported("django.db", "sqlalchemy", "sqlmodel") is None:
            continue
        for name, bases, line in facts.classes:
            if any(b in ORM_BASES or b.endswith(".Model") for b in bases) and name != "Base":
                out.append(loc(index, path, line, f"class {name}({', '.join(bases)})"))
                break
    return out


def _migrations(index: RepoIndex) -> list[Location]:
    found: dict[str, str] = {}
    for path in index.paths("**/*", kinds={CODE}):
        parts = path_parts(path)
        folder = "/".join(parts[:-1])
        if folder in found:
            continue
        if (
            (path.endswith(".py") and len(parts) >= 2 and parts[-2] == "versions" and "alembic" in path)
            or (path.endswith(".py") and len(parts) >= 2 and parts[-2] == "migrations" and parts[-1][:4].isdigit())
            or (path.endswith(".rb") and path.startswith("db/migrate/"))
            or parts[-1] == "schema.prisma"
        ):
            found[folder] = path
    return [index.location(p, None, "schema migration") for p in sorted(found.values())]


def data_io_files(index: RepoIndex) -> set[str]:
    """Files of the repo's own code that read datasets or do shared-store I/O."""
    return {x.path or "" for x in _reads(index)} | {x.path or "" for x in _store_io(index)[0]}


@probe(
    "repo.data.reads",
    summary="Data work outside data platforms: dataset reads in code, shared-store SDK I/O, databases the app "
    "defines (ORM models, migrations).",
    emits=(READS, STORE_IO, APP_DB),
    remediation="Read data from declared, shared sources (a catalogued store or pipeline output) rather than ad-hoc "
    "files and downloads.",
    evidence=("file",),
)
def data_reads(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (READS, STORE_IO, APP_DB))
    out = []
    reads = _reads(index)
    out.append(
        hit(
            views,
            READS,
            reads,
            f"{len(reads)} file(s) read datasets (dataframe readers, dataset libraries, downloads, document loaders)",
            confidence=code_confidence(x.path or "" for x in reads),
            values={"count": len(reads)},
        )
        if reads
        else miss(views, READS, "No dataset reads in the repo's own code (tests, examples and docs aside)")
    )
    io, kinds = _store_io(index)
    out.append(
        hit(
            views,
            STORE_IO,
            io,
            f"Code reads or writes a shared remote store through its SDK ({', '.join(sorted(kinds))})",
            confidence=code_confidence(x.path or "" for x in io),
            values={"kinds": sorted(kinds)},
        )
        if io
        else miss(views, STORE_IO, "No object-storage transfers or warehouse clients in the repo's own code")
    )
    models, migrations = _orm_models(index) + data_rbscan.active_record_models(index), _migrations(index)
    out.append(
        hit(
            views,
            APP_DB,
            models[:5] + migrations[:5],
            f"The application defines its database: {len(models)} ORM model file(s), "
            f"{len(migrations)} migration folder(s)",
            values={"models": len(models), "migrations": len(migrations)},
        )
        if models or migrations
        else miss(views, APP_DB, "No ORM models or schema migrations in the repo's own code")
    )
    return out
