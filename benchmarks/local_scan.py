"""Benchmark: scan a generated monorepo, as a ratio to the git plumbing a scan cannot avoid.

The repository (default 50,000 files, 10,000 commits by 12 authors over the last 300 days) holds a
realistic mix: Python packages and tests, notebooks, YAML configuration, CI files (GitHub Actions,
GitLab, Jenkins), Dockerfiles and Terraform, prompts, SQL, data files (CSV, JSON, parquet blobs).
It is written in one `git fast-import` stream and cached under --cache (reused while the
parameters match). The floor, timed in the same run: `git ls-files -s`, one `git log --no-renames
--name-only` over the window, and reading every text file (`git cat-file --batch`). The scan runs as a
child process (`python -m scanner scan`) whose peak RSS is read from its own rusage (os.wait4), so
the generator does not count. Also timed: `ast.parse` of every Python module at HEAD, the least any
static reading of Python adds to the floor (`parse_s`). `--compare DIR` also scans with the checkout
in DIR (e.g. a worktree of main), interleaved, for before/after figures from the same run.
Run: `.venv/bin/python -m benchmarks.local_scan --files 50000 --commits 10000`.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from benchmarks.large_repo import MODULE, TEST, WORKFLOW

AUTHORS = [(f"{first} {last}", f"{first.lower()}@corp.test") for first, last in (
    ("Dana", "Data"), ("Eli", "Eng"), ("Sam", "Soft"), ("Olga", "Ops"), ("Pia", "Prompt"), ("Ned", "Nb"),
    ("Ada", "Airflow"), ("Ben", "Backend"), ("Cy", "Cloud"), ("Dee", "Dbt"), ("Fay", "Feature"), ("Gus", "Gpu"),
)]  # fmt: skip
END = 1_780_000_000  # a fixed HEAD date (2026-05-28): the scan reads the same window every run
SPAN_DAYS = 300
ROOT = Path(__file__).resolve().parents[1]

PROMPT = "You are a helpful assistant for team {i}.\nAnswer using only the context below.\n\n{{context}}\n"
TRAIN = """import mlflow
from sklearn.ensemble import RandomForestClassifier


def train_{i}(frame, target: str = "label") -> None:
    with mlflow.start_run(run_name="train-{i}"):
        model = RandomForestClassifier(n_estimators={n}).fit(frame.drop(columns=[target]), frame[target])
        mlflow.log_param("n_estimators", {n})
        mlflow.log_metric("accuracy", model.score(frame.drop(columns=[target]), frame[target]))
        mlflow.sklearn.log_model(model, "model", registered_model_name="model-{i}")
"""
DAG = """from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator

with DAG("etl_{i}", start_date=datetime(2026, 1, 1), schedule="@daily", catchup=False) as dag:
    PythonOperator(task_id="extract_{i}", python_callable=print)
"""
GITLAB = (
    "stages: [test, deploy]\ntest:\n  stage: test\n  script:\n    - pytest\n"
    "deploy:\n  stage: deploy\n  script: [make deploy]\n"
)
JENKINS = "pipeline {\n  agent any\n  stages {\n    stage('test') { steps { sh 'pytest' } }\n  }\n}\n"
DOCKER = 'FROM python:3.11-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD ["python", "-m", "app"]\n'
TF = 'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "data-{i}"\n  tags = {{ team = "ml" }}\n}}\n'
KINDS = (
    ["module"] * 40 + ["test"] * 12 + ["yaml"] * 8 + ["md"] * 4 + ["nb"] * 3 + ["sql"] * 6 + ["json"] * 6
    + ["csv"] * 5 + ["parquet"] * 2 + ["prompt"] * 2 + ["train"] * 2 + ["dag"] * 2 + ["wf"] * 1 + ["tf"] * 2
    + ["docker"] * 1 + ["txt"] * 2 + ["ts"] * 2
)  # fmt: skip


def _notebook(i: int) -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [f"# Exploration {i}\n"]},
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": ["import pandas as pd\n", f"df = pd.read_csv('data/sample_{i}.csv')\n", "df.describe()\n"],
        },
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def generate(n: int) -> dict[str, bytes]:
    """Path -> content of `n` files (deterministic)."""
    rng = random.Random(11)
    out: dict[str, bytes] = {
        "pyproject.toml": b'[project]\nname = "mono"\ndependencies = ["pandas", "mlflow", "scikit-learn"]\n',
        ".gitlab-ci.yml": GITLAB.encode(),
        "Jenkinsfile": JENKINS.encode(),
        "README.md": b"# Monorepo\n",
    }
    for i in range(max(0, n - len(out))):
        kind = rng.choice(KINDS)
        pkg, team = f"pkg_{i % 60}", f"team_{i % 15}"
        text: str | bytes
        if kind == "module":
            extra = rng.random() < 0.05
            path = f"src/{pkg}/sub_{i % 7}/mod_{i}.py"
            text = MODULE.format(
                i=i,
                pkg=pkg,
                extra_import="import mlflow" if extra else "",
                extra_call='mlflow.log_metric("rows", len(frame))' if extra else "pass",
            )
        elif kind == "test":
            path, text = f"tests/{pkg}/test_mod_{i}.py", TEST.format(i=i, pkg=pkg)
        elif kind == "yaml":
            path = f"config/{team}/settings_{i}.yaml"
            text = f"name: job-{i}\nschedule: '0 {i % 24} * * *'\nparams:\n  lr: 0.0{i % 9 + 1}\n  depth: {i % 12}\n"
        elif kind == "md":
            path = f"docs/{pkg}/page_{i}.md"
            text = f"# Page {i}\n\nSome documentation about step {i}.\n\n```python\nimport mlflow\n```\n"
        elif kind == "nb":
            path, text = f"notebooks/{team}/explore_{i}.ipynb", _notebook(i)
        elif kind == "sql":
            path = f"models/{team}/stg_{i}.sql"
            text = f"select id, value\nfrom {{{{ source('raw', 'table_{i}') }}}}\nwhere value is not null\n"
        elif kind == "json":
            path, text = f"data/meta/meta_{i}.json", json.dumps({"id": i, "tags": ["a", "b"], "owner": team})
        elif kind == "csv":
            path = f"data/raw/{team}/sample_{i}.csv"
            text = "id,value,label\n" + "".join(f"{r},{rng.random():.4f},{r % 2}\n" for r in range(20))
        elif kind == "parquet":
            path, text = f"data/processed/{team}/part_{i}.parquet", b"PAR1\x00" + rng.randbytes(600) + b"PAR1"
        elif kind == "prompt":
            path, text = f"prompts/{team}/assistant_{i}.prompt", PROMPT.format(i=i)
        elif kind == "train":
            path, text = f"training/{team}/train_{i}.py", TRAIN.format(i=i, n=50 + i % 200)
        elif kind == "dag":
            path, text = f"dags/{team}/etl_{i}.py", DAG.format(i=i)
        elif kind == "wf":
            path, text = f".github/workflows/ci_{i}.yml", WORKFLOW.format(i=i)
        elif kind == "tf":
            path, text = f"infra/{team}/bucket_{i}.tf", TF.format(i=i)
        elif kind == "docker":
            path, text = f"services/svc_{i}/Dockerfile", DOCKER
        elif kind == "ts":
            path, text = f"web/src/component_{i}.ts", f"export const value{i} = {i};\n"
        else:
            path, text = f"requirements/extra_{i}.txt", "pandas>=2\nnumpy\nmlflow\n"
        out[path] = text.encode() if isinstance(text, str) else text
    return out


def _stream(files: dict[str, bytes], commits: int) -> Iterator[bytes]:
    """A fast-import stream: the files arrive over the first commits (in path order), and every
    commit also edits a few files already there."""
    rng = random.Random(7)
    paths = sorted(files)
    per = max(1, len(paths) // max(1, commits // 2))
    added: list[str] = []
    editable = {p for p in paths if not p.endswith((".parquet", ".ipynb", ".json"))}
    step = SPAN_DAYS * 86400 // max(1, commits)
    for c in range(commits):
        when = END - (commits - 1 - c) * step
        name, email = AUTHORS[rng.randrange(len(AUTHORS))]
        msg = f"change {c}\n".encode()
        yield f"commit refs/heads/main\nmark :{c + 1}\n".encode()
        yield f"author {name} <{email}> {when} +0000\ncommitter {name} <{email}> {when} +0000\n".encode()
        yield b"data %d\n%s\n" % (len(msg), msg)
        if c:
            yield f"from :{c}\n".encode()
        new = paths[c * per : (c + 1) * per] if c < commits // 2 else []
        if c == commits // 2 - 1:
            new = paths[c * per :]
        edits = {p: files[p] + f"\n# rev {c}\n".encode() for p in rng.sample(added or new, min(3, len(added or new)))}
        for path in new:
            edits.setdefault(path, files[path])
        for path, data in edits.items():
            yield f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"
        added.extend(p for p in new if p in editable)
    yield b"done\n"


def build(dest: Path, n_files: int, n_commits: int) -> Path:
    """Create (or reuse) the repository at `dest`."""
    stamp = dest / ".git" / "aiops-bench"
    wanted = f"{n_files} {n_commits} v1"
    if stamp.is_file() and stamp.read_text() == wanted:
        return dest
    if dest.exists():
        subprocess.run(["rm", "-rf", str(dest)], check=True)
    dest.mkdir(parents=True)
    git = ["git", "-C", str(dest)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    proc = subprocess.Popen([*git, "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for chunk in _stream(generate(n_files), n_commits):
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run([*git, "checkout", "-q", "-f", "main"], check=True)
    stamp.write_text(wanted)
    return dest


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def floor(repo: Path) -> float:
    """Seconds for the git plumbing a scan cannot avoid."""
    from scanner.collectors.repo_reader import wants_text

    git = ["git", "-C", str(repo)]
    start = time.perf_counter()
    listing = subprocess.run([*git, "ls-files", "-s", "-z"], check=True, capture_output=True).stdout
    since = f"--since=@{END - 365 * 86400}"
    subprocess.run([*git, "log", "--no-renames", "--name-only", since], check=True, capture_output=True)
    shas = []
    for record in listing.split(b"\0"):
        if record:
            meta, _, path = record.partition(b"\t")
            if wants_text(path.decode()):
                shas.append(meta.split()[1])
    subprocess.run([*git, "cat-file", "--batch"], input=b"\n".join(shas) + b"\n", check=True, capture_output=True)
    return time.perf_counter() - start


def parse_floor(repo: Path) -> float:
    """CPU seconds to `ast.parse` every Python module at HEAD: what any static reading of Python pays on
    top of the git floor, before a single probe looks (the texts are read first and not counted)."""
    git = ["git", "-C", str(repo)]
    listing = subprocess.run([*git, "ls-files", "-s", "-z", "--", "*.py"], check=True, capture_output=True).stdout
    shas = [record.split()[1] for record in listing.split(b"\0") if record]
    batch = subprocess.run(
        [*git, "cat-file", "--batch"], input=b"\n".join(shas) + b"\n", check=True, capture_output=True
    )
    texts, at = [], 0
    for _ in shas:
        header_end = batch.stdout.index(b"\n", at)
        size = int(batch.stdout[at:header_end].split()[2])
        texts.append(batch.stdout[header_end + 1 : header_end + 1 + size].decode("utf-8", "replace"))
        at = header_end + 1 + size + 1
    start = time.process_time()
    for text in texts:
        with contextlib.suppress(SyntaxError, ValueError):
            ast.parse(text)
    return time.process_time() - start


def scan(repo: Path, src: Path, out: Path) -> tuple[float, float, float]:
    """(seconds, peak RSS in MB, CPU seconds) of one scan by the checkout at `src`, as a child process
    (CPU time is the steadier figure on a shared machine)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-m", "scanner", "scan", str(repo), "--quiet", "--jobs", "1", "--json", str(out)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=src, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"scan by {src} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return took, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # ru_maxrss is in KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each timing; the best counts")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "aiops-bench-local-scan")
    parser.add_argument("--compare", type=Path, metavar="DIR", help="also scan with the checkout in DIR")
    args = parser.parse_args(argv)
    repo = args.cache / f"repo-{args.files}-{args.commits}"
    took = _timed(lambda: build(repo, args.files, args.commits))
    print(f"repo: {repo} ({args.files} files, {args.commits} commits; ready in {took:.1f} s)")
    floors: list[float] = []
    parses: list[float] = []
    runs: list[tuple[float, float, float]] = []
    base_runs: list[tuple[float, float, float]] = []
    for _ in range(args.repeat):
        floors.append(floor(repo))
        parses.append(parse_floor(repo))
        runs.append(scan(repo, ROOT, args.cache / "scan.json"))
        if args.compare:
            base_runs.append(scan(repo, args.compare.resolve(), args.cache / "base.json"))
    floor_s, scan_s, peak = min(floors), min(r[0] for r in runs), max(r[1] for r in runs)
    cpu = min(r[2] for r in runs)
    parse_s = min(parses)
    print(f"floor (ls-files + log over the window + cat-file of the text files): {floor_s:.2f} s")
    print(
        f"ast.parse of every Python module alone: {parse_s:.2f} s CPU"
        f" (floor plus parsing: {(floor_s + parse_s) / floor_s:.1f}x the floor)"
    )
    print(f"scan (this checkout, best of {args.repeat}): {scan_s:.2f} s, {cpu:.2f} s CPU, peak RSS {peak:.0f} MB")
    if args.compare:
        base, base_cpu = min(r[0] for r in base_runs), min(r[2] for r in base_runs)
        print(
            f"scan ({args.compare}): {base:.2f} s, {base_cpu:.2f} s CPU, "
            f"peak RSS {max(r[1] for r in base_runs):.0f} MB;"
            f" speed-up {base / scan_s:.1f}x (CPU {base_cpu / cpu:.1f}x)"
        )
    print(
        f"local_scan: files={args.files} commits={args.commits} scan_s={scan_s:.2f} floor_s={floor_s:.2f} "
        f"ratio={scan_s / floor_s:.2f} peak_rss_mb={peak:.0f} parse_s={parse_s:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
