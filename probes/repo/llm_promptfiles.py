"""Prompt files loaded by code: prompts/** assets, *.prompty, Dotprompt *.prompt, Semantic Kernel
skprompt.txt, prompt flow flow.dag.yaml, and Jinja templates read by LLM code (Prompt Management in docs/model.md);
also a package of prompt modules (prompts/*.py, two or more) imported by LLM code, and prompts that LLM
code resolves by name from versioned configuration (`config.llm_prompts.fetch(...)`). A prompt file
that no code loads is intent, not practice (low confidence)."""

from __future__ import annotations

import re

from probes.repo._llm import CODE, Ev, basename, file_ev, files_of, index_of
from probes.repo.llm_judges import llm_callers, py_importers, rb_users
from probes.repo.llm_rbscan import RB_SUFFIXES
from probes.repo.llm_scan import scan
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import hit, miss, probe
from scanner.views import Views

PROMPT_DIRS = frozenset({"prompts", "prompt_templates", "prompt-templates"})
DIR_SUFFIXES = (
    ".txt", ".md", ".j2", ".jinja", ".jinja2", ".yaml", ".yml", ".json", ".tmpl", ".mustache", ".hbs", ".xml",
    ".prompt", ".prompty",
)  # fmt: skip
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tmpl", ".mustache")
QUOTED = re.compile(r"""["'`]([^"'`\n]{1,200})["'`]""")
LOADER = re.compile(
    r"open\(|read_text|FileSystemLoader|get_template|load_prompt|from_file|glob|listdir|iterdir|readFile"
    r"|ReadAllText|[Pp]rompty|\.load\(|add_plugin|PromptDirectory|plugin_name|\bprompt\(|load_flow"
)


@probe(
    "repo.prompts.files",
    summary="Prompt assets (prompts/**, *.prompty, Dotprompt, skprompt.txt, flow.dag.yaml) loaded by code.",
    remediation="Keep prompts as versioned files next to the code that loads them.",
    evidence=("file",),
)
def prompt_files(views: Views) -> list[Finding]:
    index = index_of(views)
    assets = _assets(index)
    loaded = _loaded(index, assets)
    ignored = len(_assets(index, None)) - len(assets)
    values = {
        "assets": len(assets),
        "loaded": len(loaded),
        "unloaded": len(set(assets) - set(loaded)),
        "ignored_non_practice": ignored,
    }
    runtime = {a: e for a, e in loaded.items() if e.where == CODE}
    runtime |= {a: e for a, e in _prompt_modules(index).items() if a not in runtime}
    values["prompt_modules_or_config"] = len(runtime) - sum(1 for e in loaded.values() if e.where == CODE)
    chosen = runtime or loaded
    if chosen:
        locs = [index.location(a, None, f"loaded by {e.path}:{e.line}") for a, e in sorted(chosen.items())]
        loaders = sorted({e.path for e in chosen.values()})
        if runtime:
            msg = f"{len(runtime)} prompt file(s) loaded by runtime code ({', '.join(loaders[:3])})"
            return [hit(views, "repo.prompts.files", locs, msg, values=values | {"count": len(runtime)})]
        msg = f"{len(loaded)} prompt file(s) loaded only by notebooks/tests ({', '.join(loaders[:3])})"
        return [hit(views, "repo.prompts.files", locs, msg, confidence="low", values=values | {"count": len(loaded)})]
    if assets:
        msg = f"{len(assets)} prompt file(s), but no code loads them (intent, not practice)"
        return [
            hit(
                views,
                "repo.prompts.files",
                [index.location(a) for a in assets],
                msg,
                confidence="low",
                values=values | {"count": len(assets)},
            )
        ]
    return [
        miss(
            views,
            "repo.prompts.files",
            "No prompt files (prompts/**, *.prompty, *.prompt, skprompt.txt)"
            + (f"; {ignored} in examples/docs/templates ignored" if ignored else ""),
            values=values,
        )
    ]


def _assets(index: RepoIndex, kinds: tuple[str, ...] | None = (CODE,)) -> list[str]:
    out = []
    for path in index.paths(kinds=kinds):
        name, low = basename(path), path.lower()
        if name.lower().startswith(("readme", "__init__", "_meta.")):
            continue  # docs, package markers, site navigation metadata (Nextra's `_meta.json`)
        in_dir = any(d in PROMPT_DIRS for d in low.split("/")[:-1])
        if (
            low.endswith((".prompty", ".prompt"))
            or name in ("skprompt.txt", "flow.dag.yaml")
            or (in_dir and low.endswith(DIR_SUFFIXES))
        ):
            out.append(path)
    return out


def _loaded(index: RepoIndex, assets: list[str]) -> dict[str, Ev]:
    """Asset -> the first reference from code that loads it (runtime code preferred)."""
    llm_files = {f.path for f in scan(index).of() if f.families}
    templates = [p for p in index.by_suffix(*TEMPLATE_SUFFIXES, kinds=(CODE,)) if p not in assets]
    by_name: dict[str, list[str]] = {}
    for asset in assets + templates:
        by_name.setdefault(basename(asset), []).append(asset)
        if basename(asset) == "skprompt.txt" and asset.count("/") >= 2:  # Semantic Kernel: by plugin folder
            by_name.setdefault(asset.split("/")[-3], []).append(asset)
        if asset.endswith(".prompt"):  # Dotprompt: prompt("name")
            by_name.setdefault(basename(asset)[: -len(".prompt")], []).append(asset)
    found: dict[str, Ev] = {}
    for src in files_of(index):
        text = index.text(src) or ""
        if src in assets or not LOADER.search(text):
            continue
        for m in QUOTED.finditer(text):
            token = m.group(1).strip().removeprefix("./").rstrip("/")
            targets = list(by_name.get(token.split("/")[-1], []))
            targets += _in_dir(token, assets)
            for asset in targets:
                if asset in templates and src not in llm_files:
                    continue
                ev = file_ev(index, src, text.count("\n", 0, m.start()) + 1, token)
                if asset not in found or (ev.where == CODE and found[asset].where != CODE):
                    found[asset] = ev
    _flows(index, assets, found)
    return found


def _in_dir(token: str, assets: list[str]) -> list[str]:
    """Assets under the prompt directory that `token` names (`prompts`, `app/prompts`, `prompts/*.md`)."""
    parts = token.split("/")
    cut = max((i for i, p in enumerate(parts) if p in PROMPT_DIRS), default=-1)
    rest = parts[cut + 1 :]
    if cut < 0 or (rest and not any(ch in rest[-1] for ch in "*{")):
        return []  # no prompt dir named, or a single file (matched by name)
    folder = "/".join(parts[: cut + 1])
    return [a for a in assets if f"/{folder}/" in "/" + a]


def _flows(index: RepoIndex, assets: list[str], found: dict[str, Ev]) -> None:
    """Prompt flow: the runtime loads flow.dag.yaml and the prompt/LLM node sources it names."""
    for flow in (a for a in assets if basename(a) == "flow.dag.yaml"):
        data = index.yaml_data(flow)
        nodes = data.get("nodes") if isinstance(data, dict) else None
        if not isinstance(nodes, list) or not nodes:
            continue
        found.setdefault(flow, file_ev(index, flow, 1, "prompt flow definition"))
        folder = flow.rsplit("/", 1)[0] + "/" if "/" in flow else ""
        for node in nodes:
            source = node.get("source") if isinstance(node, dict) else None
            path = source.get("path") if isinstance(source, dict) else None
            if isinstance(path, str) and index.has(folder + path):
                found.setdefault(folder + path, file_ev(index, flow, 1, f"node {node.get('name')}"))


CONFIG_PROMPTS = re.compile(r"\b(?:configuration|config|settings|conf)\.(?:\w{1,40}\.){0,3}\w{0,30}prompts\b", re.I)


def _prompt_modules(index: RepoIndex) -> dict[str, Ev]:
    """Prompt modules of a prompts package imported by LLM code, and configuration-resolved prompts."""
    callers = {p for p in llm_callers(index) if index.kind(p) == "code"}
    out: dict[str, Ev] = {}
    modules = [
        p
        for p in index.by_suffix(".py", kinds=(CODE,))
        if any(d in PROMPT_DIRS for d in p.lower().split("/")[:-1]) and not basename(p).startswith("__init__")
    ]
    if len(modules) >= 2:
        for module, importer in py_importers(index, modules, sorted(callers)).items():
            out[module] = file_ev(index, importer, None, f"imports prompt module {module}")
    callers_rb = sorted(p for p in callers if p.endswith(RB_SUFFIXES))
    for path in index.by_suffix(".py", *RB_SUFFIXES, kinds=(CODE,)):
        text = index.text(path) or ""
        m = CONFIG_PROMPTS.search(text) if "prompts" in text.lower() else None
        used = m is not None and (
            path in callers
            or (path.endswith(RB_SUFFIXES) and bool(rb_users(index, [path], callers_rb)))
            or (path.endswith(".py") and bool(py_importers(index, [path], sorted(callers))))
        )
        if m and used:
            out.setdefault(path, file_ev(index, path, text.count("\n", 0, m.start()) + 1, m.group(0)))
    return out
