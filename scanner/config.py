"""The configuration file (`aiops-scan.yaml`, `--config FILE`): what the `scan` command line takes.

Validated against scanner/schemas/config.schema.json; problems are reported as
`FILE:LINE: at KEY.PATH: message`. Relative paths are taken relative to the file's folder. On the
command line, options win over the file; lists given on the command line replace the file's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.schemapath import FileProblems, schema_problems
from scanner.yamlio import YamlError, load_yaml

OUTPUTS = ("json", "html", "markdown", "sarif")


@dataclass
class Config:
    targets: list[str] = field(default_factory=list)
    mlflow: list[str] = field(default_factory=list)
    catalog: list[str] = field(default_factory=list)
    rules: Path | None = None
    window_days: int | None = None
    baseline: Path | None = None
    attestations: Path | None = None
    outputs: dict[str, Path] = field(default_factory=dict)
    fail_below: str | None = None
    area_gates: dict[str, str] = field(default_factory=dict)
    jobs: int | None = None
    repo_deadline_s: float | None = None
    github: dict[str, Any] = field(default_factory=dict)


def _path(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _local(base: Path, value: str) -> str:
    """A target or store: resolved against the file's folder when it names a relative local path."""
    if ":" in value.split("/", 1)[0] or value.startswith(("http://", "https://", "/", "~")):
        return value
    return str(base / value)


def _catalog(base: Path, value: str) -> str:
    kind, sep, where = value.partition("=")
    return f"{kind}={_local(base, where)}" if sep and where else value


def load_config(path: Path) -> Config:
    where = str(path)
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:  # name the file and the byte, not just the codec
        raise FileProblems([f"{where}: not UTF-8 text (byte {exc.start}: {exc.reason})"], "the configuration") from None
    except YamlError as exc:
        raise FileProblems([f"{where}:{exc.line or 1}: {exc}"], "the configuration") from None
    data: dict[str, Any] = doc.data if doc.data is not None else {}
    problems = schema_problems(doc, where, "config.schema.json") if doc.data is not None else []
    if problems:
        raise FileProblems(problems, "the configuration")
    base = path.resolve().parent
    gates = data.get("gates", {})
    return Config(
        targets=[_local(base, t) for t in data.get("targets", [])],
        mlflow=[_local(base, m) for m in data.get("mlflow", [])],
        catalog=[_catalog(base, c) for c in data.get("catalog", [])],
        rules=_path(base, data["rules"]) if "rules" in data else None,
        window_days=data.get("window_days"),
        baseline=_path(base, data["baseline"]) if "baseline" in data else None,
        attestations=_path(base, data["attestations"]) if "attestations" in data else None,
        outputs={k: _path(base, v) for k, v in data.get("outputs", {}).items()},
        fail_below=gates.get("fail_below"),
        area_gates=dict(gates.get("areas", {})),
        jobs=data.get("jobs"),
        repo_deadline_s=data.get("repo_deadline_s"),
        github=_github(base, data.get("github", {})),
    )


# config key -> (command-line attribute, the command line's default): the command line wins when set
GITHUB_OPTIONS: dict[str, tuple[str, Any]] = {
    "url": ("github_url", None),
    "cache_dir": ("cache_dir", None),
    "include": ("include", []),
    "exclude": ("exclude", []),
    "topics": ("topic", []),
    "include_archived": ("include_archived", False),
    "include_forks": ("include_forks", False),
    "max_repos": ("max_repos", 0),
    "team_roles": ("team_role", []),
    "api_budget": ("api_budget", 5000),
    "max_wait": ("max_wait", 300.0),
}


def _github(base: Path, section: dict[str, Any]) -> dict[str, Any]:
    out = dict(section)
    if "cache_dir" in out:
        out["cache_dir"] = _path(base, out["cache_dir"])
    if "team_roles" in out:
        out["team_roles"] = [f"{slug}={role}" for slug, role in sorted(out["team_roles"].items())]
    return out


def apply_github(args: Any, section: dict[str, Any]) -> None:
    """Fill the GitHub command-line options the user left at their defaults from the config section."""
    for key, value in section.items():
        attr, default = GITHUB_OPTIONS[key]
        if getattr(args, attr, default) == default:
            setattr(args, attr, value)
