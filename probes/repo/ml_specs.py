"""Model specs that people other than data scientists can edit: declarative model/rule/threshold specs and
issue templates for model or prompt proposals."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from probes.repo._ml import CODE, code_files, loc, repo_of
from probes.repo.ml_manifests import walk, yaml_docs
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

RULE_KEY = re.compile(r"^(thresholds?|\w+_threshold|cutoffs?|decision_threshold|rules|business_rules)$", re.I)
PROMPT_GLOBS = (
    "**/*.prompty",
    "**/prompts/**/*.yaml",
    "**/prompts/**/*.yml",
    "**/prompts/**/*.txt",
    "**/prompts/**/*.md",
    "**/prompts/**/*.j2",
    "**/prompts/**/*.jinja",
    "**/*.prompt",
)
PROPOSAL = re.compile(r"\b(model|prompt|experiment|use[ _-]?case|feature request for (a )?model)s?\b", re.I)
TEMPLATE_GLOBS = (".github/ISSUE_TEMPLATE/*", ".gitlab/issue_templates/*", "docs/.github/ISSUE_TEMPLATE/*")
FRONT_FIELD = re.compile(r"^(name|title|about|description)\s*:\s*(.+)$", re.M | re.I)
NON_SPEC_DIRS = (".github/", ".gitlab", "k8s/", "helm/", "charts/", "deploy/", "infra/")


def _python_mentions(views: Views) -> str:
    index = repo_of(views)
    return "\n".join(index.text(p) or "" for p in code_files(index, notebooks=False))


@probe(
    "repo.declarative_model_specs",
    summary="Declarative model specs editable without code: AutoML job YAML, "
    "Ludwig configs, threshold/rule YAML read by model code, prompt files",
    evidence=("file",),
    remediation="Move model choices that experts tune (AutoML settings, thresholds, rules, prompts) into "
    "declarative YAML or prompt files read by the code.",
)
def declarative_model_specs(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites: list[Location] = []
    kinds: set[str] = set()
    code_text: str | None = None
    for d in yaml_docs(index):
        if d.path.startswith(NON_SPEC_DIRS) or d.kind:
            continue  # CI, Kubernetes and other infrastructure documents are not model specs
        if d.data.get("type") == "automl":
            sites.append(loc(index, d.path, d.line("type")))
            kinds.add("AutoML job spec")
        elif "input_features" in d.data and "output_features" in d.data:
            sites.append(loc(index, d.path, d.line("input_features")))
            kinds.add("Ludwig config")
        else:
            keys = [p for p, _ in walk(d.data, depth=3) if p and isinstance(p[-1], str) and RULE_KEY.match(p[-1])]
            if keys:
                code_text = _python_mentions(views) if code_text is None else code_text
                if PurePosixPath(d.path).name in code_text:
                    sites.append(loc(index, d.path, d.line(*keys[0])))
                    kinds.add("threshold/rule YAML read by code")
    prompts = index.paths(*PROMPT_GLOBS, kinds=CODE)
    sites += [loc(index, p) for p in prompts]
    if prompts:
        kinds.add("prompt files")
    if not sites:
        return [miss(views, "repo.declarative_model_specs", "no declarative model, rule or prompt specs")]
    msg = f"{len(sites)} declarative specs: {', '.join(sorted(kinds))}"
    return [hit(views, "repo.declarative_model_specs", sites, msg, values={"kinds": sorted(kinds)})]


@probe(
    "repo.model_proposal_templates",
    summary="Issue templates for model, prompt, experiment or use-case proposals",
    evidence=("file",),
    remediation="Add issue templates for model, prompt, experiment or use-case proposals, so that requests "
    "arrive with the same information.",
)
def model_proposal_templates(views: Views) -> list[Finding]:
    index = repo_of(views)
    found = []
    for path in index.paths(*TEMPLATE_GLOBS, kinds=("code", "docs", "test")):
        name = PurePosixPath(path).stem.replace("_", " ").replace("-", " ")
        fields = " ".join(m.group(2) for m in FRONT_FIELD.finditer((index.text(path) or "")[:2000]))
        if PROPOSAL.search(name) or PROPOSAL.search(fields):
            found.append(loc(index, path, 1))
    if not found:
        return [miss(views, "repo.model_proposal_templates", "no issue template for model or prompt proposals")]
    return [hit(views, "repo.model_proposal_templates", found, f"{len(found)} proposal issue templates")]
