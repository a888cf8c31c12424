"""A fake GitHub API on 127.0.0.1 (REST and GraphQL) serving recorded fixtures for one organisation.

REST bodies start from GitHub's recorded example (fixtures/minimal-repository.json); GraphQL answers come
from fixtures/graphql.json. ETags make 304s possible; `faults` scripts failures per path; every request
(and every GraphQL query text) is recorded for the tests to check.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = 2  # repos per listing page, whatever per_page asks: pagination is exercised with few repos


def repo_body(org: str, name: str, clone_url: str, fixture: str = "minimal-repository", **extra: Any) -> dict[str, Any]:
    """GitHub's recorded example of `fixture`, renamed to ORG/NAME and cloned from `clone_url`."""
    body = json.loads((FIXTURES / f"{fixture}.json").read_text())
    text = json.dumps(body).replace("octocat/Hello-World", f"{org}/{name}").replace("Hello-World", name)
    body = json.loads(text.replace('"login": "octocat"', f'"login": "{org}"'))
    body.update({"clone_url": clone_url, "archived": False, "fork": False, "topics": ["ml"], **extra})
    return body


def _run(full_name: str, workflow: str, conclusion: str, created_at: str) -> dict[str, Any]:
    """GitHub's recorded workflow run example, as a scheduled run of `workflow` in `full_name`."""
    run = json.loads((FIXTURES / "workflow-run.json").read_text())
    run.update(
        {
            "path": f".github/workflows/{workflow}@main",
            "event": "schedule",
            "status": "completed",
            "conclusion": conclusion,
            "created_at": created_at,
            "updated_at": created_at,
            "html_url": f"https://github.com/{full_name}/actions/runs/{run['id']}",
        }
    )
    return run


def bare_head(clone_url: str) -> str | None:
    """The HEAD commit of a local bare repo (file:// URL), read from its refs as git would."""
    bare = Path(urlsplit(clone_url).path)
    try:
        ref = (bare / "HEAD").read_text().strip()
        if not ref.startswith("ref: "):
            return ref
        name = ref[5:]
        if (bare / name).is_file():
            return (bare / name).read_text().strip()
        for line in (bare / "packed-refs").read_text().splitlines():
            if line.endswith(" " + name):
                return line.split()[0]
    except OSError:
        return None
    return None


class FakeGitHub:
    def __init__(
        self, org: str, repos: list[dict[str, Any]], graphql: dict[str, Any], page: int = PAGE, latency_s: float = 0.0
    ) -> None:
        self.org, self.repos, self.graphql, self.page = org, repos, graphql, page
        self.latency_s = latency_s  # added to every answer (benchmarks: a real API is not on localhost)
        self.runs: dict[str, list[tuple[str, str, str]]] = graphql.get("runs", {})  # repo -> (file, conclusion, when)
        self.faults: dict[str, list[tuple[int, dict[str, str], str]]] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # method, path, headers
        self.queries: list[str] = []
        self.graphql_calls: list[tuple[str, dict[str, Any]]] = []  # (query, variables)
        self.rest_bodies: list[tuple[str, Any]] = []  # (path template, body) served with 200
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fault(self, key: str, *responses: tuple[int, dict[str, str], str]) -> None:
        self.faults.setdefault(key, []).extend(responses)

    def _next_fault(self, key: str) -> tuple[int, dict[str, str], str] | None:
        with self.lock:
            queue = self.faults.get(key)
            return queue.pop(0) if queue else None

    # answers --------------------------------------------------------------------------------
    def rest(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any, str, str]:
        """(status, body, link header, operation path template)."""
        if path == f"/orgs/{self.org}/repos":
            page = int(query.get("page", ["1"])[0])
            chunk = self.repos[(page - 1) * self.page : page * self.page]
            last = (len(self.repos) + self.page - 1) // self.page
            link = f'<{self.url}{path}?page={page + 1}>; rel="next"' if page < last else ""
            return 200, chunk, link, "/orgs/{org}/repos"
        for repo in self.repos:
            if path == f"/repos/{repo['full_name']}/actions/runs":
                runs = [_run(repo["full_name"], *r) for r in self.runs.get(repo["name"], [])]
                return 200, {"total_count": len(runs), "workflow_runs": runs}, "", "/repos/{owner}/{repo}/actions/runs"
            if path == f"/repos/{repo['full_name']}":
                full = repo_body(self.org, repo["name"], repo["clone_url"], "full-repository")
                return 200, full, "", "/repos/{owner}/{repo}"
        return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com"}, "", ""

    def answer_graphql(self, payload: dict[str, Any]) -> Any:
        query, variables = payload["query"], payload.get("variables") or {}
        with self.lock:
            self.queries.append(query)
            self.graphql_calls.append((query, variables))
        if "organization(" in query:
            return copy.deepcopy(self.graphql["org"])
        if query.startswith("query RepoHeads("):
            return self.heads(variables)
        return copy.deepcopy(self.graphql["repos"].get(variables.get("name"), {"data": {"repository": None}}))

    def heads(self, variables: dict[str, Any]) -> dict[str, Any]:
        """RepoHeads: aliases r0..rN-1 for variables oI/nI; the head read from the bare repo now, so that a
        push to it is seen; an unknown repo is null with a NOT_FOUND error, as GitHub answers."""
        by_name = {r["full_name"].lower(): r for r in self.repos}
        data: dict[str, Any] = {"rateLimit": {"cost": 1, "remaining": 4998, "resetAt": "2030-01-01T00:00:00Z"}}
        errors = []
        for i in range(len(variables) // 2):
            repo = by_name.get(f"{variables[f'o{i}']}/{variables[f'n{i}']}".lower())
            oid = bare_head(repo["clone_url"]) if repo else None
            if repo is None:
                data[f"r{i}"] = None
                errors.append({"type": "NOT_FOUND", "path": [f"r{i}"], "message": "Could not resolve to a Repository"})
                continue
            target = {"__typename": "Commit", "oid": oid} if oid else None
            branch = {"target": target} if target else None
            data[f"r{i}"] = {"nameWithOwner": repo["full_name"], "defaultBranchRef": branch}
        return {"data": data, **({"errors": errors} if errors else {})}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _fault(self, key: str) -> bool:
                scripted = fake._next_fault(key)
                if scripted is None:
                    return False
                status, headers, body = scripted
                self._send(status, body, headers)
                return True

            def do_GET(self) -> None:
                time.sleep(fake.latency_s)
                parts = urlsplit(self.path)
                with fake.lock:
                    fake.requests.append(("GET", self.path, dict(self.headers)))
                if self._fault(parts.path):
                    return
                status, body, link, template = fake.rest(parts.path, parse_qs(parts.query))
                etag = '"' + hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest() + '"'
                headers = {"ETag": etag, "x-ratelimit-remaining": "4999", "x-ratelimit-limit": "5000"}
                if link:
                    headers["Link"] = link
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                if status == 200:
                    with fake.lock:
                        fake.rest_bodies.append((template, body))
                self._send(status, body, headers)

            def do_POST(self) -> None:
                time.sleep(fake.latency_s)
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length))
                with fake.lock:
                    fake.requests.append(("POST", self.path, dict(self.headers)))
                name = (payload.get("variables") or {}).get("name") or "org"
                if self._fault(f"graphql:{name}"):
                    with fake.lock:
                        fake.queries.append(payload["query"])
                    return
                self._send(200, fake.answer_graphql(payload), {})

        return Handler
