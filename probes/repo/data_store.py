"""Where data lives: files committed to git, local paths in code, cloud object-store URIs, and manual
SQL-to-file exports in notebooks.

Committed data: tracked data files over 100 KB anywhere but vendored paths, or data files in a
`data/`/`datasets/` folder outside tests (small test fixtures are fine). Git LFS files (.gitattributes)
and dbt seeds (small reference tables the tool is designed to version) do not count.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from probes.repo._data import (
    code_confidence,
    gitignore_match,
    grep_code,
    hit_locs,
    is_placeholder,
    loc,
    parent_dir,
    unavailable_all,
    under,
)
from scanner.facts.paths import CODE, TEST, VENDORED
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

FILES, LOCAL, CLOUD, EXPORTS = (
    "repo.data_files_committed",
    "code.local_paths",
    "code.cloud_uri_reads",
    "code.manual_sql_exports",
)
DATA_EXT = (".csv", ".tsv", ".parquet", ".pq", ".xlsx", ".xls", ".jsonl", ".feather", ".arrow", ".avro", ".orc")
DATA_DIRS = frozenset({"data", "datasets", "dataset", "raw_data"})
LARGE = 100 * 1024
USER_PATH = re.compile(
    r"^(?:/Users/[^/\s]+/|/home/(?!runner/)[^/\s]+/(?!\.)|[A-Za-z]:[\\/](?!Program|Windows)|~/(?!\.))", re.IGNORECASE
)
REL_DATA = re.compile(r"^(?:\.{1,2}/)+(?:data|datasets|dataset|raw_data)\b|^(?:data|datasets|dataset|raw_data)/\S")
IO_CALL = re.compile(r"(^|\.)(read_\w+|to_\w+|open|load\w*|save\w*|dump|Path|loadtxt|savetxt|imread|listdir|glob)$")
CLOUD_URI = re.compile(r"""(?:[fbr]?["'])((?:s3a?|abfss?|wasbs?|gs|az)://[^"'\s]*|dbfs:/[^"'\s]*|/Volumes/[^"'\s]*)""")
CLOUD_WORDS = ("s3://", "s3a://", "abfs", "wasb", "gs://", "az://", "dbfs:/", "/volumes/")
STOCK_BUCKETS = frozenset({"bucket", "bucket-name", "bucket_name", "container", "path", "mybucket"})


def committed_data(index: RepoIndex) -> tuple[list[str], dict[str, int]]:
    lfs = [
        line.split()[0]
        for path in index.by_name(".gitattributes", kinds=None)
        for line in (index.text(path) or "").splitlines()
        if "filter=lfs" in line and line.split()
    ]
    seeds = [f"{parent_dir(p)}/seeds".lstrip("/") for p in index.by_name("dbt_project.yml")]
    counted: list[str] = []
    skipped = {"lfs": 0, "dbt_seeds": 0, "fixtures": 0}
    for path, entry in sorted(index.files.items()):
        if entry.kind == VENDORED or not path.lower().endswith(DATA_EXT):
            continue
        dirs = set(PurePosixPath(path).parts[:-1])
        if any(gitignore_match(p, path) for p in lfs):
            skipped["lfs"] += 1
        elif any(under(path, s) for s in seeds):
            skipped["dbt_seeds"] += 1
        elif entry.size > LARGE or (dirs & DATA_DIRS and entry.kind != TEST):
            counted.append(path)
        else:
            skipped["fixtures"] += 1
    return counted, skipped


def local_paths(index: RepoIndex) -> list[Location]:
    out: list[Location] = []
    for path in index.python_files(kinds={CODE}):
        facts = index.python(path)
        if facts is None:
            continue
        seen: set[int] = set()
        for call in facts.calls:
            for arg in call.str_args:
                user = USER_PATH.match(arg) and not is_placeholder(arg)
                if (user or (REL_DATA.match(arg) and IO_CALL.search(call.name))) and call.line not in seen:
                    seen.add(call.line)
                    out.append(loc(index, path, call.line, f"{call.name.rsplit('.', 1)[-1]}({arg!r})"))
        for line, text in facts.strings:
            if line not in seen and USER_PATH.match(text) and not is_placeholder(text):
                seen.add(line)
                out.append(loc(index, path, line, repr(text)))
    return out


def cloud_uris(index: RepoIndex) -> tuple[list[Location], set[str]]:
    paths = index.python_files(kinds={CODE}) + index.by_suffix(".sql", ".scala", ".r", ".java", kinds={CODE})
    hits, schemes = [], set()
    for h in grep_code(index, CLOUD_URI, paths, words=CLOUD_WORDS):
        m = CLOUD_URI.search(h.match)
        uri = m.group(1) if m else ""
        bucket = re.sub(r"^\w+:/+|^/Volumes/", "", uri).split("/")[0]
        if bucket and not (is_placeholder(bucket) or is_placeholder(uri)) and bucket.lower() not in STOCK_BUCKETS:
            hits.append(h)
            schemes.add("volumes" if uri.startswith("/Volumes/") else uri.split(":")[0])
    return hit_locs(index, hits), schemes


def manual_exports(index: RepoIndex) -> tuple[list[Location], int]:
    """Notebooks that read SQL and write files, and that no job, pipeline or script names."""
    refs: str | None = None  # the text of job/pipeline/script files, read only if a candidate notebook exists
    out: list[Location] = []
    scheduled = 0
    for path in index.by_suffix(".ipynb", kinds={CODE}):
        facts = index.python(path)
        reads = facts.calls_to("read_sql", "read_sql_query", "read_sql_table") if facts else []
        writes = facts.calls_to("to_csv", "to_parquet", "to_excel") if facts else []
        if not (reads and writes):
            continue
        if refs is None:
            suffixes = (".yml", ".yaml", ".json", ".py", ".sh", ".cfg", ".toml")
            refs = "\n".join(index.text(p) or "" for p in index.by_suffix(*suffixes))
        name = PurePosixPath(path)
        if re.search(rf"/{re.escape(name.stem)}(\.ipynb)?\b|\b{re.escape(name.name)}", refs):
            scheduled += 1
            continue
        out.append(loc(index, path, writes[0].line, f"read_sql then {writes[0].name.rsplit('.', 1)[-1]}"))
    return out, scheduled


@probe(
    "repo.data.store",
    summary="Data committed to git, local and cloud data paths in code, and manual SQL exports in notebooks.",
    emits=(FILES, LOCAL, CLOUD, EXPORTS),
    remediation="Keep data in a shared store (object storage, warehouse, DVC remote) and read it by URI, not from "
    "files in git or a laptop path.",
    evidence=("file",),
)
def data_store(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (FILES, LOCAL, CLOUD, EXPORTS))
    out = []
    counted, skipped = committed_data(index)
    if counted:
        size = sum(index.files[p].size for p in counted)
        practice = [p for p in counted if index.files[p].kind in (CODE, TEST)]
        msg = f"{len(counted)} data file(s) committed ({size // 1024} KB)"
        msg += "" if practice else ", all in examples/docs/generated paths"
        out.append(
            hit(
                views,
                FILES,
                [index.location(p) for p in counted],
                msg,
                confidence="medium" if practice else "low",
                values={"count": len(counted), "bytes": size, **skipped},
            )
        )
    else:
        out.append(
            miss(
                views,
                FILES,
                "No data files committed (Git LFS, dbt seeds and small test fixtures aside)",
                values=skipped,
            )
        )
    local = local_paths(index)
    out.append(
        hit(
            views,
            LOCAL,
            local,
            f"{len(local)} read/write(s) on local or user paths",
            confidence=code_confidence(x.path or "" for x in local),
        )
        if local
        else miss(views, LOCAL, "No reads/writes on user home or repo-relative data paths")
    )
    cloud, schemes = cloud_uris(index)
    out.append(
        hit(
            views,
            CLOUD,
            cloud,
            f"Code reads object-store URIs ({', '.join(sorted(schemes))})",
            confidence=code_confidence(x.path or "" for x in cloud),
            values={"schemes": sorted(schemes)},
        )
        if cloud
        else miss(views, CLOUD, "No object-store URIs (s3://, abfss://, gs://, dbfs:/, /Volumes/) in code")
    )
    exports, scheduled = manual_exports(index)
    out.append(
        hit(
            views,
            EXPORTS,
            exports,
            f"{len(exports)} notebook(s) export SQL query results to files by hand",
            confidence="low",
            values={"count": len(exports), "scheduled": scheduled},
        )
        if exports
        else miss(
            views, EXPORTS, "No notebooks exporting SQL results to files outside a job", values={"scheduled": scheduled}
        )
    )
    return out
