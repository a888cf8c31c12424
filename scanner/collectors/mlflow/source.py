"""The `--mlflow URI` source: a target `mlflow:<uri without credentials>` whose view is MlflowFacts."""

from __future__ import annotations

from pathlib import Path

from scanner.collectors.mlflow.backends import Backend, LocalBackend, RestBackend
from scanner.collectors.mlflow.client import MlflowError, RestClient, public_uri
from scanner.collectors.mlflow.gather import gather
from scanner.facts.mlflow import MlflowFacts
from scanner.sources import OrgSource, SourceUnavailable, source_factory
from scanner.targets import Target, UsageError

LOCAL_SCHEMES = ("file:", "sqlite:")


def normalise(uri: str) -> str:
    """A bare folder becomes a `file:` URI; http(s) keeps its form; anything else is a usage error."""
    if uri.startswith(("http://", "https://")) or uri.startswith(LOCAL_SCHEMES):
        return uri
    if "://" in uri:
        raise UsageError(f"--mlflow {public_uri(uri)}: use an http(s):// server, a file: folder or a sqlite: database")
    return "file:" + str(Path(uri).expanduser().resolve())


@source_factory("mlflow")
def mlflow_source(spec: str) -> OrgSource:
    uri = normalise(spec.strip())
    remote = uri.startswith(("http://", "https://"))
    shown = public_uri(uri) if remote else uri
    target = Target(f"mlflow:{shown}", "mlflow", info={"uri": shown})
    source = OrgSource(target, "mlflow", lambda: None)

    def build() -> MlflowFacts:
        client = RestClient(uri) if remote else None
        try:
            backend: Backend = RestBackend(client) if client else LocalBackend(uri)
            facts = gather(backend, shown, public_uri(uri) if remote else None)
        except MlflowError as exc:
            message = client.scrub(str(exc)) if client else str(exc)
            raise SourceUnavailable(message) from None
        finally:
            source.stats["mlflow_requests"] = client.requests if client else 0
        if facts.version:
            target.info["version"] = facts.version
        target.info["sections"] = dict(facts.sections)
        if facts.skipped:
            target.info["skipped"] = list(facts.skipped)
        return facts

    source.build = build
    return source
