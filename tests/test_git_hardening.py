"""Git URLs under hostile or unlucky conditions: credentials per git process, secrets stripped from every
output, killed clones, one repo under several spellings, SIGTERM, and git's error messages."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.cli import EXIT_OK, EXIT_PARTIAL, main
from scanner.collectors import gitcli
from scanner.collectors.github import clone
from scanner.estate import build_repo
from scanner.facts import urls
from scanner.testing import git, make_repo
from tests.e2e.conftest import CHECK_EVIDENCE, FIXTURES, check_with_contract_tool
from tests.git_http import bare_repo, git_server

FILES = {
    "train.py": "import mlflow\n\nwith mlflow.start_run():\n    mlflow.log_metric('auc', 0.9)\n",
    "requirements.txt": "mlflow==2.9.0\nscikit-learn\n",
    "tests/test_train.py": "def test_ok():\n    assert True\n",
}


def _scan(*args: str) -> int:
    return main(["scan", *args, "--quiet"])


def _cmdlines() -> Iterator[str]:
    """The argv of every git process (git, git-remote-http, ...) on the machine."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                argv = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if os.path.basename(argv.split(b"\0", 1)[0]).startswith(b"git"):
                yield argv.decode("utf-8", "replace")


class ArgvWatch:
    """Samples every process's argv while a scan runs: a secret must never be there (`ps` shows it)."""

    def __init__(self, secrets: list[str]) -> None:
        self.secrets, self.seen, self.samples = secrets, [], 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples += 1
            self.seen += [c for c in _cmdlines() if any(s in c for s in self.secrets)]
            time.sleep(0.005)

    def __enter__(self) -> ArgvWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# case 6 -----------------------------------------------------------------------------------------------


def test_credentialed_urls_on_two_hosts_scan_together_with_two_jobs(tmp_path: Path) -> None:
    """Each repo's credentials reach only its own git processes: with --jobs 2 neither overwrites the
    other (before: the process environment held one host's header, the other repo's blob fetch got 401)."""
    before = {k: v for k, v in os.environ.items() if k.startswith("GIT_CONFIG")}
    src = make_repo(tmp_path, FILES)
    bare_repo(src, tmp_path / "srv1" / "org", "alpha")
    bare_repo(src, tmp_path / "srv2" / "org", "beta")
    out = tmp_path / "evidence.json"
    with (
        git_server(tmp_path / "srv1", "alice", "Alpha-Secret-1") as one,
        git_server(tmp_path / "srv2", "bob", "Beta-Secret-2") as two,
        ArgvWatch(["Alpha-Secret-1", "Beta-Secret-2"]) as watch,
    ):
        url1 = one.url.replace("://", "://alice:Alpha-Secret-1@") + "/org/alpha.git"
        url2 = two.url.replace("://", "://bob:Beta-Secret-2@") + "/org/beta.git"
        code = _scan(url1, url2, "--jobs", "2", "--cache-dir", str(tmp_path / "cache"), "--json", str(out))
    evidence = json.loads(out.read_text())
    assert {t["id"]: t["status"] for t in evidence["targets"]} == {"alpha": "ok", "beta": "ok"}, evidence["targets"]
    assert code == EXIT_OK
    by_target = {
        s: {f["id"].split(":", 1)[-1] for f in evidence["findings"] if f["subject"] == s} for s in ("alpha", "beta")
    }
    assert len(by_target["alpha"]) > 5
    # every request that carried credentials carried the right ones; blobs were fetched from both servers
    for server in (one, two):
        assert any("git-upload-pack" in r["path"] and r["authorized"] for r in server.requests)
        assert sum(1 for r in server.requests if r["path"].endswith("git-upload-pack")) >= 2
    assert {k: v for k, v in os.environ.items() if k.startswith("GIT_CONFIG")} == before
    assert watch.samples > 3 and watch.seen == []
    assert "Secret" not in out.read_text()


# case 7 -----------------------------------------------------------------------------------------------


def _leaky_local_repo(tmp_path: Path, name: str, origin: str) -> Path:
    repo = build_repo(FIXTURES / "pipeline-dvc-mlflow", tmp_path / "local" / name)
    git(repo, "remote", "add", "origin", origin)
    return repo


def test_secrets_in_urls_and_origins_never_reach_any_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Passwords with an unencoded `@`, query-string tokens and token userinfo are stripped from ids,
    sources, permalinks, cache folder names and errors, in every output format."""
    src = make_repo(tmp_path, FILES)
    bare_repo(src, tmp_path / "srv" / "org", "churn")
    bare_repo(src, tmp_path / "srv2" / "org", "fraud")
    local1 = _leaky_local_repo(
        tmp_path,
        "origin-token",
        "https://x-access-token:LeakA1b2c3@github.com/acme/forecast.git?access_token=LeakB4d5e6",
    )
    local2 = _leaky_local_repo(
        tmp_path,
        "origin-oauth",
        "https://oauth2:LeakC7f8g9@gitlab.example.com/acme/pricing.git?private_token=LeakD0h1i2",
    )
    outs = {k: tmp_path / f"out.{k}" for k in ("json", "html", "markdown", "sarif")}
    cache = tmp_path / "cache"
    with (
        git_server(tmp_path / "srv", "svc", "p@ss@LeakE3j4k5") as one,
        git_server(tmp_path / "srv2", "oauth2", "LeakF6l7m8") as two,
    ):
        host1, host2 = one.url.removeprefix("http://"), two.url.removeprefix("http://")
        targets = [
            f"http://svc:p@ss@LeakE3j4k5@{host1}/org/churn.git?access_token=LeakG9n0o1",
            f"http://{host2}/org/fraud.git?private_token=LeakF6l7m8",  # the token is the password of oauth2
            f"http://svc:p@ss@LeakE3j4k5@{host1}/org/missing.git?token=LeakH2p3q4&x=1",
            str(local1),
            str(local2),
        ]
        secrets = ["LeakE3j4k5", "LeakF6l7m8", "LeakG9n0o1", "LeakH2p3q4"]
        with ArgvWatch(secrets) as watch:
            code = _scan(
                *targets,
                "--jobs",
                "2",
                "--cache-dir",
                str(cache),
                *(x for k, p in outs.items() for x in (f"--{k}", str(p))),
            )
    printed = capsys.readouterr()
    assert code == EXIT_PARTIAL  # missing.git is an error target
    evidence = json.loads(outs["json"].read_text())
    status = {t["id"]: t for t in evidence["targets"]}
    assert status["churn"]["status"] == "ok" and status["fraud"]["status"] == "ok", status
    assert status["churn"]["source"] == f"http://{host1}/org/churn.git"
    assert status["missing"]["status"] == "error" and "git" in status["missing"]["error"]
    texts = [p.read_text() for p in outs.values()] + [printed.out, printed.err]
    texts += [str(p) for p in cache.rglob("*")]  # cache folder and file names
    leaks = [m for text in texts for m in re.findall(r".{0,40}(?:Leak|ss@).{0,20}", text)]
    assert leaks == []
    assert watch.seen == []
    # permalinks still point at the repos, without credentials
    urls = {loc["url"] for f in evidence["findings"] for loc in f["locations"] if loc.get("url")}
    assert any(u.startswith("https://github.com/acme/forecast/blob/") for u in urls)
    assert any(u.startswith("https://gitlab.example.com/acme/pricing/blob/") for u in urls)
    if CHECK_EVIDENCE.is_file():
        check_with_contract_tool(outs["json"])


def test_redact_strips_every_credential_spelling() -> None:
    text = (
        "fatal: unable to access 'https://user:p@ss@w0rd@host/org/r.git/': x "
        "https://oauth2:glpat-abcdefghij0123456789@gitlab.com/a/b.git "
        "https://host/a.git?access_token=AAA111&ref=main https://h/b?private_token=BBB222#frag "
        "https://h/c?token=CCC333 https://h/d?x=1&X-Amz-Signature=DDD444"
    )
    out = urls.redact(text)
    for secret in ("p@ss", "w0rd", "glpat", "AAA111", "BBB222", "CCC333", "DDD444", "oauth2"):
        assert secret not in out
    assert "https://host/org/r.git/" in out and "ref=main" in out
    assert urls.web_url("https://u:p@ss@github.com/acme/x.git?access_token=T1") == "https://github.com/acme/x"
    assert urls.repo_key("https://u:p@ss@GitHub.com/acme/x.git/?token=T1") == "github.com/acme/x"


# case 9 -----------------------------------------------------------------------------------------------


def test_a_half_done_cache_entry_is_recloned(tmp_path: Path) -> None:
    """A cache entry without HEAD (a clone killed early) is detected and cloned again."""
    src = make_repo(tmp_path, FILES)
    bare = bare_repo(src, tmp_path / "srv", "repo")
    dest = tmp_path / "cache" / "repo"
    dest.mkdir(parents=True)
    git(dest, "init", "-q")
    git(dest, "remote", "add", "origin", f"file://{bare}")
    synced = clone.sync(f"file://{bare}", dest)
    assert synced.cloned and synced.head == git(src, "rev-parse", "HEAD").strip()
    assert clone.sync(f"file://{bare}", dest).cloned is False  # a sound entry is fetched, not re-cloned


def test_a_killed_clone_leaves_nothing_that_breaks_the_next_run(tmp_path: Path) -> None:
    """A clone killed (SIGKILL) while the server has not answered: the next run clones and scans."""
    src = make_repo(tmp_path, FILES)
    bare_repo(src, tmp_path / "srv" / "org", "repo")
    cache = tmp_path / "cache"
    out = tmp_path / "evidence.json"
    with git_server(tmp_path / "srv", "u", "pw-123456") as server:
        url = server.url.replace("://", "://u:pw-123456@") + "/org/repo.git"
        server.hold.set()
        worker = threading.Thread(target=_scan, args=(url, "--cache-dir", str(cache), "--json", str(out)))
        worker.start()
        pid = _wait_for_child("clone")
        os.kill(pid, signal.SIGKILL)  # no clean-up by git
        server.release.set()
        worker.join(60)
        first = json.loads(out.read_text())["targets"][0]
        assert first["status"] == "error"
        assert not [p for p in cache.rglob("*") if p.name == "org_repo"], "no half-done entry under the final name"
        server.hold.clear()
        assert _scan(url, "--cache-dir", str(cache), "--json", str(out)) == EXIT_OK
    assert json.loads(out.read_text())["targets"][0]["clone"] == "cloned"


def _wait_for_child(word: str, timeout: float = 20) -> int:
    me, deadline = str(os.getpid()), time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            except (OSError, IndexError):
                continue
            if stat[1] == me and cmd[0].endswith(b"git") and word.encode() in cmd:
                return int(entry)
        time.sleep(0.02)
    raise AssertionError(f"no git {word} started")


# case 14 ----------------------------------------------------------------------------------------------


def test_one_repo_under_several_spellings_is_scanned_once(tmp_path: Path) -> None:
    src = make_repo(tmp_path, FILES)
    bare_repo(src, tmp_path / "srv" / "org", "repo")
    out = tmp_path / "evidence.json"
    with git_server(tmp_path / "srv", "u", "pw-123456") as server:
        port = server.url.rsplit(":", 1)[1]
        specs = [
            f"http://u:pw-123456@127.0.0.1:{port}/org/repo.git",
            f"http://u:pw-123456@127.0.0.1:{port}/org/repo/",
            f"http://u:pw-123456@127.0.0.1:{port}/Org/Repo",
        ]
        code = _scan(*specs, "--jobs", "2", "--cache-dir", str(tmp_path / "cache"), "--json", str(out))
    targets = json.loads(out.read_text())["targets"]
    assert code == EXIT_OK, targets
    (target,) = targets
    assert target["status"] == "ok" and target["id"] == "repo"
    assert target["also_given_as"] == [f"http://127.0.0.1:{port}/org/repo/", f"http://127.0.0.1:{port}/Org/Repo"]


def test_url_spellings_of_one_repo_share_one_key() -> None:
    spellings = [
        "https://github.com/acme/churn.git",
        "https://GitHub.com/acme/churn/",
        "http://github.com/acme/churn",
        "git@github.com:acme/churn.git",
        "ssh://git@github.com/acme/churn",
        "https://tok:x@github.com/acme/churn.git?access_token=1",
    ]
    assert {urls.repo_key(s) for s in spellings} == {"github.com/acme/churn"}


def test_concurrent_syncs_of_one_cache_folder_are_serialised(tmp_path: Path) -> None:
    """Two threads syncing one folder (e.g. github:ORG and the URL of one of its repos) both succeed."""
    src = make_repo(tmp_path, FILES)
    bare = bare_repo(src, tmp_path / "srv", "repo")
    dest = tmp_path / "cache" / "repo"
    results: list[object] = []

    def run() -> None:
        try:
            results.append(clone.sync(f"file://{bare}", dest))
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, clone.Synced) for r in results), results
    assert sum(r.cloned for r in results if isinstance(r, clone.Synced)) == 1


# case 18 ----------------------------------------------------------------------------------------------


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/org/repo.git"
    sock.close()


def _group_alive(pgid: int) -> bool:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


def test_terminate_children_ends_running_git_processes(tmp_path: Path, silent_server: str) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            clone.sync(silent_server, tmp_path / "cache" / "repo")
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    pid = _wait_for_child("clone")
    time.sleep(0.3)  # let git start its remote helper
    pgid = os.getpgid(pid)
    assert pgid != os.getpgrp()  # its own group: the helper processes die with it
    started = time.monotonic()
    try:
        assert gitcli.terminate_children() == 1
        worker.join(10)
        with pytest.raises(gitcli.GitError, match="the run is ending"):  # and no new one starts
            gitcli.run_git(tmp_path, "status")
    finally:
        gitcli.allow_children()
    assert not worker.is_alive() and time.monotonic() - started < 5
    assert errors and isinstance(errors[0], gitcli.GitError)
    assert not _group_alive(pgid)
    assert not (tmp_path / "cache" / "repo").exists()
    with pytest.raises(gitcli.GitError):  # a bad URL still fails normally afterwards
        clone.sync(f"file://{tmp_path}/nowhere.git", tmp_path / "cache" / "other")


# case 20 ----------------------------------------------------------------------------------------------


def test_git_errors_keep_the_meaningful_tail(tmp_path: Path) -> None:
    with pytest.raises(gitcli.GitError) as info:
        clone.sync(f"file://{tmp_path}/nowhere.git", tmp_path / "cache" / "x")
    message = str(info.value)
    # before: only git's last line, "and the repository exists."
    assert "does not appear to be a git repository" in message and "repository exists" in message


def test_git_error_text_is_bounded_and_redacted() -> None:
    stderr = b"".join(
        [b"remote: Counting objects: 10% (1/10)\r", b"remote: Counting objects: 100% (10/10), done.\n"]
        + [f"warning: line {i} of noise\n".encode() for i in range(200)]
        + [b"fatal: unable to access 'https://u:p@ss@host/r.git?access_token=T0k3n/': 403\n", b"\n\x1b[31m\n"]
    )
    message = gitcli.git_error("fetch", stderr, 128)
    assert message.startswith("git fetch failed: ")
    assert "403" in message and "line 199" in message and "line 100" not in message
    assert len(message) <= 600 and "\x1b" not in message
    assert "p@ss" not in message and "T0k3n" not in message
    assert gitcli.git_error("fetch", b"", 128) == "git fetch failed: exit 128"


def _git_children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            except (OSError, IndexError):
                continue
            if stat[1] == str(pid) and cmd[0].endswith(b"git") and stat[0] != "Z":
                found.append(int(entry))
    return found


def test_sigterm_to_the_program_ends_its_git_clones(tmp_path: Path, silent_server: str) -> None:
    """The CLI's SIGTERM handler ends the clones it started: no git process outlives the run."""
    import signal
    import subprocess
    import sys

    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    args = [sys.executable, "-m", "scanner", "scan", silent_server, "--cache-dir", str(tmp_path / "c"), "--quiet"]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not _git_children_of(proc.pid):
            assert time.monotonic() < deadline and proc.poll() is None, "no git clone started"
            time.sleep(0.05)
        pgids = {os.getpgid(p) for p in _git_children_of(proc.pid)}
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 143
        time.sleep(0.2)
        assert not any(_group_alive(g) for g in pgids)
    finally:
        if proc.poll() is None:
            proc.kill()
