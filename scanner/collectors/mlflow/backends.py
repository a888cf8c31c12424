"""Two ways to read MLflow with one interface: a REST server, or a local store read in-process.

`page(op, args, token)` returns one page of REST-shaped items and the next page token. A local
store's entities are converted with their protobuf JSON form, the same shape a server returns.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from scanner.collectors.mlflow.client import FATAL, MlflowError, Partial, RestClient
from scanner.yamlio import YamlError, load_yaml

# A scanner reads and reports nothing home: no MLflow usage telemetry (a user may still opt in).
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

Page = tuple[list[dict[str, Any]], str | None]
PAGE_SIZE = 1000


class Backend(Protocol):
    @property
    def requests(self) -> int: ...

    def info(self) -> dict[str, Any]: ...

    def page(self, op: str, args: dict[str, Any], token: str | None) -> Page: ...


# op -> (method, path, key of the items in the answer)
REST_OPS: dict[str, tuple[str, str, str]] = {
    "experiments": ("POST", "/api/2.0/mlflow/experiments/search", "experiments"),
    "runs": ("POST", "/api/2.0/mlflow/runs/search", "runs"),
    "models": ("GET", "/api/2.0/mlflow/registered-models/search", "registered_models"),
    "versions": ("GET", "/api/2.0/mlflow/model-versions/search", "model_versions"),
    "logged_models": ("POST", "/api/2.0/mlflow/logged-models/search", "models"),
    "traces": ("POST", "/api/3.0/mlflow/traces/search", "traces"),
    "traces_v2": ("GET", "/api/2.0/mlflow/traces", "traces"),
    "scorers": ("GET", "/api/3.0/mlflow/scorers/list", "scorers"),
    "scorer_configs": ("GET", "/api/3.0/mlflow/scorers/online-configs", "configs"),
    "datasets": ("POST", "/api/3.0/mlflow/datasets/search", "datasets"),
    "webhooks": ("GET", "/api/2.0/mlflow/webhooks", "webhooks"),
}


def _rest_request(op: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
    size = int(args.get("max_results", PAGE_SIZE))
    body: dict[str, Any] = {"max_results": size}
    if op == "traces":
        body["locations"] = [
            {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": e}} for e in args["experiment_ids"]
        ]
        body["order_by"] = ["timestamp_ms DESC"]
    elif op == "traces_v2":
        body["experiment_ids"] = args["experiment_ids"]
        body["order_by"] = "timestamp_ms DESC"
    elif op == "scorers":
        body = {"experiment_id": args["experiment_id"]}
    elif op == "scorer_configs":
        body = {"scorer_ids": args["scorer_ids"]}
    elif op in ("runs", "logged_models"):
        body["experiment_ids"] = args["experiment_ids"]
        if op == "runs":
            body["order_by"] = ["attributes.start_time DESC"]
    if args.get("filter"):
        body["filter"] = args["filter"]
    if token:
        body["page_token"] = token
    return body


class RestBackend:
    def __init__(self, client: RestClient) -> None:
        self.client = client

    @property
    def requests(self) -> int:
        return self.client.requests

    def info(self) -> dict[str, Any]:
        """Server version and server-info; an older server without server-info answers 404."""
        out: dict[str, Any] = {}
        try:
            out = dict(self.client.get("/api/3.0/mlflow/server-info"))
        except MlflowError as exc:
            if exc.kind in FATAL:
                raise
            out["server_info"] = exc.kind
        try:
            out["version"] = self.client.text("/version").strip()[:40]
        except MlflowError as exc:
            if exc.kind in FATAL:
                raise
        return out

    def page(self, op: str, args: dict[str, Any], token: str | None) -> Page:
        method, path, key = REST_OPS[op]
        request = _rest_request(op, args, token)
        if method == "GET":  # lists become repeated query parameters
            answer = self.client.get(path, request)
        else:
            answer = self.client.post(path, request)
        items = answer.get(key) or []
        asked = request.get("max_results")
        if not isinstance(items, list):
            raise MlflowError("server", f"{path}: `{key}` is not a list")
        if isinstance(asked, int) and len(items) > asked:  # a server ignoring max_results: keep what was asked
            kept = [i for i in items[:asked] if isinstance(i, dict)]
            raise Partial(f"{path}: the server sent {len(items)} items for {asked} asked", kept)
        return [i for i in items if isinstance(i, dict)], answer.get("next_page_token") or None


@contextmanager
def _reading(uri: str) -> Iterator[None]:
    """While reading a file store: MLflow 3 opens one only with MLFLOW_ALLOW_FILE_STORE set, and its
    registry reads logged models through the global tracking URI (else it would create ./mlflow.db)."""
    from mlflow.tracking._tracking_service.utils import _use_tracking_uri

    old = os.environ.get("MLFLOW_ALLOW_FILE_STORE")
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    try:
        with _use_tracking_uri(uri):
            yield
    finally:
        if old is None:
            os.environ.pop("MLFLOW_ALLOW_FILE_STORE", None)
        else:
            os.environ["MLFLOW_ALLOW_FILE_STORE"] = old


def _to_json(entity: Any) -> dict[str, Any]:
    from mlflow.utils.proto_json_utils import message_to_json

    return dict(json.loads(message_to_json(entity.to_proto())))


VIEW_DEPTH = 2  # folders rebuilt in the view: experiments and runs, registered models and versions


def _read_only_view(root: Path, view: Path, skipped: list[str], depth: int = 0) -> Path:
    """A folder whose entries are symlinks to the store's entries: reads reach the store, while
    anything MLflow creates at the top level stays in the temporary folder. An experiment, run,
    registered model or version whose meta.yaml is malformed is left out (MLflow would fail the whole
    listing on it) and named in `skipped`."""
    for entry in sorted(root.iterdir()):
        if entry.is_dir():
            problem = _malformed(entry / "meta.yaml")
            if problem:
                skipped.append(f"{entry.relative_to(entry.parents[depth])}/meta.yaml: {problem}; skipped")
                continue
            if depth < VIEW_DEPTH:
                (view / entry.name).mkdir()
                _read_only_view(entry, view / entry.name, skipped, depth + 1)
                continue
        (view / entry.name).symlink_to(entry.resolve(), target_is_directory=entry.is_dir())
    return view


def _malformed(meta: Path) -> str:
    """Why an MLflow meta.yaml cannot be read ("" when it can, or when there is none)."""
    if not meta.is_file():
        return ""
    try:
        data = load_yaml(meta.read_text(encoding="utf-8")).data
    except (OSError, UnicodeDecodeError) as exc:
        return f"unreadable ({type(exc).__name__})"
    except YamlError as exc:
        return f"malformed YAML ({exc}{f', line {exc.line}' if exc.line else ''})"
    return "" if isinstance(data, dict) and data else "malformed (not a mapping of fields)"


class LocalBackend:
    """A `file:` folder (mlflow-skinny reads it) or a `sqlite:` database (needs the full mlflow)."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.skipped: list[str] = []  # entries of a file store left out, with the reason
        if uri.startswith("file:"):
            root = Path(uri[len("file:") :].removeprefix("//"))
            if not root.is_dir():
                raise MlflowError("unreachable", f"{uri}: no such folder")
            from mlflow.store.model_registry.file_store import FileStore as RegistryFileStore
            from mlflow.store.tracking.file_store import FileStore

            # MLflow's file stores create folders they expect (.trash, models) when they open a store:
            # open a view of links instead, so the user's store is never written to.
            self._view = tempfile.TemporaryDirectory(prefix="aiops-scan-mlflow-")
            view = _read_only_view(root, Path(self._view.name), self.skipped)
            self._reading_uri = f"file:{view}"
            with _reading(self._reading_uri):
                self.tracking: Any = FileStore(str(view))
                self.registry: Any = RegistryFileStore(str(view))
        elif uri.startswith("sqlite:"):
            try:
                from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistrySqlStore
                from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
            except ImportError:
                raise MlflowError("unreachable", f"{uri}: sqlite stores need the full mlflow package") from None
            if not Path(uri.split("///", 1)[-1]).is_file():
                raise MlflowError("unreachable", f"{uri}: no such database")
            self._reading_uri = uri
            self.tracking = SqlAlchemyStore(uri, None)
            self.registry = RegistrySqlStore(uri)
        else:
            raise MlflowError("request", f"{uri}: not an MLflow store URI (http(s)://, file: or sqlite:)")

    @property
    def requests(self) -> int:
        return 0  # in-process: no network requests

    def info(self) -> dict[str, Any]:
        return {"store_type": type(self.tracking).__name__, "local": True, "skipped": list(self.skipped)}

    def page(self, op: str, args: dict[str, Any], token: str | None) -> Page:
        call = self._ops().get(op)
        if call is None:
            raise MlflowError("missing", f"{op}: not offered by a local store")
        from mlflow.exceptions import MlflowException

        try:
            with _reading(self._reading_uri):
                items, next_token = call(args, token)
        except NotImplementedError:
            raise MlflowError("missing", f"{op}: not supported by this store") from None
        except MlflowException as exc:  # e.g. a malformed entry in the store: this kind only
            raise MlflowError("error", f"{op}: {exc.error_code}: {self._public(str(exc.message))}") from None
        except Exception as exc:  # any other failure inside MLflow's reader: this kind only
            raise MlflowError("error", f"{op}: {type(exc).__name__}: {self._public(str(exc))}") from None
        return [_to_json(i) for i in items], next_token or None

    def _public(self, message: str) -> str:
        """A message without the temporary view's path (the store's own path instead), cut short."""
        view = getattr(self, "_view", None)
        if view is not None:
            message = message.replace(view.name, self.uri.removeprefix("file:").removeprefix("//"))
        return message[:200]

    def _ops(self) -> dict[str, Callable[[dict[str, Any], str | None], tuple[list[Any], str | None]]]:
        t, r = self.tracking, self.registry
        size = PAGE_SIZE

        def paged(result: Any) -> tuple[list[Any], str | None]:
            return list(result), getattr(result, "token", None)

        return {
            "experiments": lambda a, tok: paged(t.search_experiments(max_results=size, page_token=tok)),
            "runs": lambda a, tok: paged(
                t.search_runs(a["experiment_ids"], None, 1, size, ["attributes.start_time DESC"], tok)
            ),
            "models": lambda a, tok: paged(r.search_registered_models(a.get("filter"), size, None, tok)),
            "versions": lambda a, tok: paged(r.search_model_versions(a.get("filter"), size, None, tok)),
            "logged_models": lambda a, tok: paged(
                t.search_logged_models(a["experiment_ids"], max_results=100, page_token=tok)
            ),
            "traces": lambda a, tok: t.search_traces(
                experiment_ids=a["experiment_ids"], max_results=a.get("max_results", 100), page_token=tok
            ),
            "scorers": lambda a, tok: (t.list_scorers(a["experiment_id"]), None),
            "scorer_configs": lambda a, tok: (t.get_online_scoring_configs(a["scorer_ids"]), None),
        }
