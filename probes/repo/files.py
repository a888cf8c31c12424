"""Files the scan could not read or parse. Each becomes a finding with its reason, so that a reader
knows what evidence may be missing; none of them stops the scan."""

from __future__ import annotations

from scanner.facts.paths import is_helm_template
from scanner.model import Finding, Outcome
from scanner.probekit import miss, probe
from scanner.views import Views

MAX_REPORTED = 200


def _problem(views: Views, signal: str, path: str, line: int | None, reason: str) -> Finding:
    assert views.repo is not None
    return Finding(
        probe="",
        signal=signal,
        subject=views.subject,
        outcome=Outcome.ERROR,
        confidence="high",
        message=f"{path}: {reason}",
        locations=(views.repo.location(path, line),),
        values={"reason": reason},
        key=path,
    )


@probe(
    "repo.files.skipped",
    summary="Files the scan did not read: over the size cap, binary, undecodable, symlinks out of the repo.",
    evidence=("file",),
    remediation="Nothing to fix as a rule: the listed files were too large, binary, undecodable or symlinks out "
    "of the repo; move large data and model files out of git (DVC, LFS, a registry) if they should "
    "not be there.",
)
def files_skipped(views: Views) -> list[Finding]:
    repo = views.repo
    assert repo is not None
    if not repo.skipped:
        return [miss(views, "repo.files.skipped", f"all {repo.files_read} candidate text files were read")]
    return [_problem(views, "repo.files.skipped", s.path, None, s.reason) for s in repo.skipped[:MAX_REPORTED]]


def _parse_problem(views: Views, path: str) -> tuple[int | None, str] | None:
    repo = views.repo
    assert repo is not None
    if path.endswith((".yml", ".yaml")):
        if is_helm_template(path):
            return None  # Go-templated; it is YAML only once Helm renders it
        parsed = repo.yaml(path)
        return (parsed.error_line, f"malformed YAML: {parsed.error}") if parsed.error else None
    if path.endswith(".ipynb"):
        if repo.notebook(path) is None:
            return None, "malformed notebook (not nbformat JSON)"
        facts = repo.python(path)
        return (None, f"notebook code: {facts.error}") if facts and facts.error else None
    if path.endswith(".py"):
        facts = repo.python(path)
        return (None, facts.error) if facts and facts.error else None
    if path.endswith(".json"):
        text = repo.text(path) or ""
        return (None, "malformed JSON") if text.strip() and repo.json(path) is None else None
    if path.endswith(".toml"):
        text = repo.text(path) or ""
        return (None, "malformed TOML") if text.strip() and repo.toml(path) is None else None
    return None


@probe(
    "repo.files.malformed",
    summary="Configuration, notebooks and Python files that could not be parsed (YAML, JSON, TOML, nbformat, Python).",
    evidence=("file",),
    remediation="Fix the files listed as unparsable (invalid YAML, JSON, TOML, notebook or Python syntax); the "
    "scanner reads nothing from them.",
)
def files_malformed(views: Views) -> list[Finding]:
    repo = views.repo
    assert repo is not None
    paths = repo.by_suffix(".yml", ".yaml", ".json", ".toml", ".ipynb", ".py")
    found = []
    for path in paths:
        if repo.text(path) is None:
            continue
        problem = _parse_problem(views, path)
        if problem:
            found.append(_problem(views, "repo.files.malformed", path, problem[0], problem[1]))
        if len(found) >= MAX_REPORTED:
            break
    return found or [miss(views, "repo.files.malformed", f"{len(paths)} configuration and code files parsed")]
