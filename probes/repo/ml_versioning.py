"""Versioning of data, models and experiments: DVC remotes, model outputs and experiments; model cards."""

from __future__ import annotations

import itertools
import re
from typing import Any

from probes.repo._ml import CODE, MODEL_WORDS, code_files, confidence_for, facts, loc, repo_of
from probes.repo.ml_manifests import mapping
from probes.repo.ml_training import is_model_file
from scanner.facts.paths import file_name
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

REMOTE_SECTION = re.compile(r"^[ \t]*\[\s*['\"]?remote\s+\"([^\"]+)\"['\"]?\s*\]", re.M)
REMOTE_URL = re.compile(r"^[ \t]*url\s*=\s*(\S+)", re.M)
REMOTE_SCHEMES = (
    "s3://",
    "azure://",
    "gs://",
    "gdrive://",
    "ssh://",
    "hdfs://",
    "webdav://",
    "webdavs://",
    "http://",
    "https://",
    "oss://",
    "webhdfs://",
)
PLACEHOLDER_URL = re.compile(r"<|>|your[-_]|changeme|example|xxx|\{\{", re.I)
DVC_EXP_TEXT = re.compile(r"\bdvc\s+exp\s+(run|push|pull|show|apply|save)\b")
CARD_NAMES = re.compile(r"^(model[_-]?card|modelcard)\.(md|json|ya?ml)$", re.I)
HF_FRONT = re.compile(r"\A---\s*\n(.*?)\n---", re.S)
HF_TEMPLATE = "[More Information Needed]"


def _dvc_remotes(index: RepoIndex) -> tuple[list[Location], int]:
    """(remote URLs on a real remote scheme, local or placeholder remotes)."""
    found, other = [], 0
    for path in index.paths(".dvc/config", "**/.dvc/config", kinds=CODE):
        text = index.text(path) or ""
        sections = [m.start() for m in REMOTE_SECTION.finditer(text)] + [len(text)]
        for start, end in itertools.pairwise(sections):
            url = REMOTE_URL.search(text, start, end)
            if url is None:
                continue
            value = url.group(1).strip("'\"")
            if value.startswith(REMOTE_SCHEMES) and not PLACEHOLDER_URL.search(value):
                found.append(loc(index, path, text.count("\n", 0, url.start()) + 1))
            else:
                other += 1
    return found, other


@probe(
    "repo.dvc.remote",
    summary="DVC remote storage configured (.dvc/config remote with s3/azure/gs/ssh/... URL)",
    evidence=("file",),
    remediation="Configure a DVC remote (S3, Azure Blob, GCS, SSH) in .dvc/config, so that versioned data and "
    "models are shared, not kept on one machine.",
)
def dvc_remote(views: Views) -> list[Finding]:
    index = repo_of(views)
    found, other = _dvc_remotes(index)
    values = {"count": len(found), "local_or_placeholder": other}
    if not found:
        why = f" ({other} local or placeholder remotes)" if other else ""
        return [miss(views, "repo.dvc.remote", f"no DVC remote on shared storage{why}", values=values)]
    return [hit(views, "repo.dvc.remote", found, f"{len(found)} DVC remotes on shared storage", values=values)]


def _model_like(path: str) -> bool:
    return is_model_file(path) or bool(MODEL_WORDS.search(file_name(path)))


def _out_paths(outs: Any) -> list[tuple[int, str]]:
    items = outs if isinstance(outs, list) else []
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append((i, item))
        elif isinstance(item, dict):
            out += [(i, str(k)) for k in item]
    return out


@probe(
    "repo.dvc.model_outs",
    summary="Models versioned with DVC: dvc.yaml outs or artifacts of type model, .dvc files tracking models",
    evidence=("file",),
    remediation="Version model files with DVC (outs or artifacts of type model in dvc.yaml, or .dvc files) "
    "instead of committing them to git.",
)
def dvc_model_outs(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites: list[Location] = []
    for path in index.paths("dvc.yaml", "**/dvc.yaml", kinds=CODE):
        for doc in index.yaml(path).docs:
            data = mapping(doc.data)
            for name, stage in mapping(data.get("stages")).items():
                for i, out in _out_paths(stage.get("outs") if isinstance(stage, dict) else None):
                    if _model_like(out):
                        sites.append(loc(index, path, doc.line(("stages", name, "outs", i))))
            for name, art in mapping(data.get("artifacts")).items():
                if isinstance(art, dict) and art.get("type") == "model":
                    sites.append(loc(index, path, doc.line(("artifacts", name))))
    for path in index.by_suffix(".dvc", kinds=CODE):
        data = index.yaml_data(path)
        outs = data.get("outs") if isinstance(data, dict) else None
        paths = [str(o.get("path", "")) for o in outs if isinstance(o, dict)] if isinstance(outs, list) else []
        if _model_like(path[: -len(".dvc")]) or any(_model_like(p) for p in paths):
            sites.append(loc(index, path, 1))
    if not sites:
        return [miss(views, "repo.dvc.model_outs", "no model tracked by DVC")]
    return [hit(views, "repo.dvc.model_outs", sites, f"{len(sites)} models versioned with DVC")]


@probe(
    "repo.dvc.exp",
    summary="DVC experiments: dvclive logging, `dvc exp` commands, dvc.yaml metrics/plots",
    evidence=("file",),
    remediation="Track experiments with DVC (dvclive logging, metrics and plots in dvc.yaml, `dvc exp run`).",
)
def dvc_exp(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites: list[Location] = []
    for path in code_files(index):
        f = facts(index, path)
        calls = f.calls_under("dvclive") + f.calls_to("DVCLiveLogger", "DVCLiveCallback")
        if calls:
            sites.append(loc(index, path, calls[0].line))
    scripts = index.paths("**/*.sh", "**/Makefile", "**/*.yml", "**/*.yaml", "**/*.toml", "**/*.ps1", kinds=CODE)
    sites += [loc(index, m.path, m.line) for m in index.grep(DVC_EXP_TEXT, scripts)]
    for path in index.paths("dvc.yaml", "**/dvc.yaml", kinds=CODE):
        for doc in index.yaml(path).docs:
            data = mapping(doc.data)
            stages = mapping(data.get("stages"))
            keys: list[tuple[str, ...]] = [(k,) for k in ("metrics", "plots") if data.get(k)]
            keys += [
                ("stages", n, k)
                for n, st in stages.items()
                for k in ("metrics", "plots")
                if isinstance(st, dict) and st.get(k)
            ]
            sites += [loc(index, path, doc.line(key)) for key in keys]
    if not sites:
        return [miss(views, "repo.dvc.exp", "no DVC experiment tracking (dvclive, dvc exp, dvc.yaml metrics)")]
    return [
        hit(
            views,
            "repo.dvc.exp",
            sites,
            f"{len(sites)} DVC experiment tracking sites",
            confidence=confidence_for(s.path or "" for s in sites),
        )
    ]


def _card_quality(text: str) -> bool:
    """A filled-in card: not a template full of placeholders."""
    return text.count(HF_TEMPLATE) < 3 and "{{" not in text and len(text.strip()) > 200


@probe(
    "repo.model_cards",
    summary="Model cards: MODEL_CARD.md/model_card.json, Hugging Face README front matter, model card toolkits",
    evidence=("file",),
    remediation="Write a model card for each model (MODEL_CARD.md, model_card.json or Hugging Face README front "
    "matter): intended use, data, metrics and limits.",
)
def model_cards(views: Views) -> list[Finding]:
    index = repo_of(views)
    kinds = ("code", "docs")
    sites: list[Location] = []
    placeholders = 0
    for path in index.paths(kinds=kinds):
        name = file_name(path)
        front = HF_FRONT.match(index.text(path) or "") if name.lower() == "readme.md" else None
        hf = bool(
            front
            and (
                "model-index:" in front.group(1)
                or "pipeline_tag:" in front.group(1)
                or "library_name:" in front.group(1)
            )
        )
        if CARD_NAMES.match(name) or hf:
            if _card_quality(index.text(path) or "") or name.endswith(".json"):
                sites.append(loc(index, path, 1))
            else:
                placeholders += 1
    for path in code_files(index):
        f = facts(index, path)
        calls = f.calls_under("model_card_toolkit") + f.calls_to(
            "huggingface_hub.ModelCard", "huggingface_hub.ModelCard.from_template"
        )
        if calls:
            sites.append(loc(index, path, calls[0].line))
    values = {"count": len(sites), "placeholder_cards": placeholders}
    if not sites:
        why = f" ({placeholders} unfilled template cards)" if placeholders else ""
        return [miss(views, "repo.model_cards", f"no model card{why}", values=values)]
    return [hit(views, "repo.model_cards", sites, f"{len(sites)} model cards", values=values)]
