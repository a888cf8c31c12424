"""Self-service provisioning templates for ML workspaces and compute (repo.selfservice_templates).

Backstage scaffolder templates (`apiVersion: scaffolder.backstage.io/*`, `kind: Template`) and
cookiecutter/copier templates that provision ML workspaces or compute. Templates usually live in
`templates/` folders, which the index files as non-practice; here the template is the practice, so
every path but vendored and generated ones is read. Templates that provision something else (a web
service, a docs site) do not count.
"""

from __future__ import annotations

import re

from probes.repo._data import parent_dir, unavailable_all, under, yaml_docs
from scanner.facts.paths import GENERATED, VENDORED
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

SIGNAL = "repo.selfservice_templates"
ML_WORDS = re.compile(
    r"(?i)\b(ml|mlops|machine[- ]learning|models?|notebooks?|workspaces?|clusters?|compute|gpus?|databricks|"
    r"sagemaker|azure ?ml|vertex|kubeflow|mlflow|jupyter(hub)?|training|feature[- ]store|data[- ]science|spark)\b"
)
COMPUTE_FILES = re.compile(r"\.tf$|(^|/)databricks\.ya?ml$|(^|/)(compute|cluster)[^/]*\.ya?ml$")


def _own(index: RepoIndex, paths: list[str]) -> list[str]:
    return [p for p in paths if index.kind(p) not in (VENDORED, GENERATED)]


def templates(index: RepoIndex) -> tuple[list[Location], int]:
    """(ML/compute templates, other templates)."""
    found: list[Location] = []
    other = 0
    yamls = [
        p for p in _own(index, index.by_suffix(".yaml", ".yml", kinds=None)) if "scaffolder" in (index.text(p) or "")
    ]
    for path, doc in yaml_docs(index, yamls):
        if (
            str(doc.data.get("apiVersion", "")).startswith("scaffolder.backstage.io")
            and doc.data.get("kind") == "Template"
        ):
            if ML_WORDS.search(index.text(path) or ""):
                found.append(index.location(path, doc.line(("kind",)), "Backstage template"))
            else:
                other += 1
    roots = _own(index, index.by_name("cookiecutter.json", "copier.yml", "copier.yaml", kinds=None))
    for marker in roots:
        root = parent_dir(marker)
        files = [p for p in index.paths(kinds=None) if under(p, root)]
        compute = [p for p in files if COMPUTE_FILES.search(p)]
        if compute and ML_WORDS.search((index.text(marker) or "") + " ".join(files)):
            found.append(index.location(marker, 1, f"template provisioning {compute[0]}"))
        else:
            other += 1
    return found, other


@probe(
    "repo.infra.selfservice",
    summary="Self-service templates (Backstage, cookiecutter, copier) that provision ML workspaces or compute.",
    emits=(SIGNAL,),
    remediation="Offer a self-service template that provisions a tagged, budgeted ML workspace.",
    evidence=("file",),
)
def selfservice(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (SIGNAL,))
    found, other = templates(index)
    if found:
        return [
            hit(
                views,
                SIGNAL,
                found,
                f"{len(found)} self-service template(s) for ML workspaces/compute",
                values={"count": len(found), "other_templates": other},
            )
        ]
    why = "No self-service templates for ML workspaces or compute"
    return [
        miss(
            views,
            SIGNAL,
            why + (f" ({other} template(s) for other things)" if other else ""),
            values={"other_templates": other},
        )
    ]
