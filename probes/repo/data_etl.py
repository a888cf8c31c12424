"""ETL tasks: dbt projects, data-engineering artefacts, unorchestrated ETL scripts and crontabs.

An ETL script reads or writes a database (`read_sql*`, `to_sql`, `COPY INTO`, `bcp`, `sqlcmd`), or
is a rake task that bulk-writes, deletes or exports records (data_rbscan.py); `to_csv` alone is
everyday analysis, not ETL. Scripts count as unorchestrated only when the repo has
no orchestrator and no dbt project.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from probes.repo._data import code_confidence, grep_code, hit_locs, loc, unavailable_all
from probes.repo.data_dbt_files import DbtFacts, collect_dbt
from probes.repo.data_orchestrators import detect_orchestrators
from probes.repo.data_quality import detect_checks
from probes.repo.data_rbscan import rake_data_tasks
from scanner.facts.paths import CODE
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

DBT, DE, ETL, CRON = "repo.dbt.project", "repo.de_artifacts.present", "repo.etl_scripts_unorchestrated", "repo.crontab"
DB_IO = ("read_sql", "read_sql_query", "read_sql_table", "to_sql", "read_gbq", "to_gbq")
SHELL_ETL = re.compile(r"(?i)\bCOPY\s+INTO\b|^\s*(?:bcp|sqlcmd)\s|\\copy\b|\bBULK\s+INSERT\b")
CRON_LINE = re.compile(
    r"^\s*(@(?:reboot|yearly|annually|monthly|weekly|daily|hourly)|"
    r"(?:[\d*/,-]+\s+){4}[\d*/,A-Za-z-]+)\s+\S"
)
CRONTAB_CMD = re.compile(r"\bcrontab\s+(?!-l\b)\S")


def etl_scripts(index: RepoIndex, dbt_roots: list[str]) -> list[Location]:
    """Python scripts/notebooks doing database I/O, and shell/SQL scripts (outside dbt projects) bulk-loading data."""
    found: list[Location] = []
    for path in index.python_files(kinds={CODE}):
        facts = index.python(path)
        calls = facts.calls_to(*DB_IO) if facts is not None else []
        if calls:
            found.append(loc(index, path, calls[0].line, f"{calls[0].name.rsplit('.', 1)[-1]}(...)"))
    shell = index.by_suffix(".sh", ".bash", ".ps1", ".bat", ".cmd", ".sql", kinds={CODE})
    shell = [p for p in shell if not any(p.startswith(f"{r}/") for r in dbt_roots if r)]
    seen: set[str] = set()
    for h in grep_code(index, SHELL_ETL, shell, words=("copy", "bcp", "sqlcmd", "bulk")):
        if h.path not in seen:
            seen.add(h.path)
            found.extend(hit_locs(index, [h]))
    return found


def crontabs(index: RepoIndex) -> list[Location]:
    out: list[Location] = []
    names = index.by_name("crontab") + index.by_suffix(".cron", ".crontab") + index.paths("**/cron.d/*", "cron.d/*")
    for path in sorted(set(names)):
        text = index.text(path)
        if text is None:
            out.append(index.location(path, None, "cron file (not read)"))
            continue
        n = next((i for i, ln in enumerate(text.splitlines(), 1) if CRON_LINE.match(ln)), 0)
        if n:
            out.append(index.location(path, n, text.splitlines()[n - 1]))
    for path in index.by_suffix(".timer"):
        text = index.text(path) or ""
        if "[Timer]" in text and re.search(r"(?m)^On(Calendar|BootSec|UnitActiveSec)=", text):
            out.append(index.location(path, text[: text.find("[Timer]")].count("\n") + 1, "systemd timer"))
    for path in index.paths("Dockerfile*", "**/Dockerfile*"):
        for i, line in enumerate((index.text(path) or "").splitlines(), 1):
            if CRONTAB_CMD.search(line) and not line.lstrip().startswith("#"):
                out.append(index.location(path, i, line.strip()))
    return out


def _dbt_finding(views: Views, facts: DbtFacts) -> Finding:
    assert views.repo is not None
    if facts.projects:
        locs = [views.repo.location(p.path, 1, f"dbt project {p.name}") for p in facts.projects]
        return hit(
            views,
            DBT,
            locs,
            f"{len(facts.projects)} dbt project(s) with {len(facts.model_files)} model file(s)",
            values={
                "count": len(facts.projects),
                "models": len(facts.model_files),
                "ignored_scaffolds": len(facts.scaffolds),
            },
        )
    why = "No dbt_project.yml in the repo's own code (examples, tests and vendored paths are not counted)"
    if facts.scaffolds:
        starters = sorted({f for p in facts.scaffolds for f in p.starter_files})
        why = f"Only dbt starter/empty project(s) ({', '.join(p.path for p in facts.scaffolds)}): " + (
            f"starter models {', '.join(starters[:2])}" if starters else "no models, seeds or sources"
        )
    return miss(views, DBT, why, values={"ignored_scaffolds": len(facts.scaffolds)})


@probe(
    "repo.data.etl",
    summary="ETL practice: dbt projects, data-engineering artefacts, ETL scripts run without an orchestrator, "
    "crontabs.",
    emits=(DBT, DE, ETL, CRON),
    remediation="Keep transformations in dbt or an orchestrator rather than hand-run scripts and crontabs.",
    evidence=("file",),
)
def etl(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, (DBT, DE, ETL, CRON))
    facts = collect_dbt(index)
    orchestrated = {t: f for t, f in detect_orchestrators(index).items() if f.locations}
    checks = detect_checks(index)
    scripts = etl_scripts(index, [p.root for p in facts.projects])
    out = [_dbt_finding(views, facts)]

    evidence: list[Location] = [index.location(p.path, 1, "dbt project") for p in facts.projects]
    evidence += [f.locations[0] for f in orchestrated.values()]
    evidence += [items[0] for items in checks.by_tool.values()]
    kinds = (["dbt"] if facts.projects else []) + sorted(orchestrated) + sorted(checks.by_tool)
    if evidence or scripts:
        kinds += ["etl_scripts"] if scripts else []
        only_scripts = not evidence
        out.append(
            hit(
                views,
                DE,
                evidence or scripts,
                f"Data-engineering artefacts: {', '.join(kinds)}",
                confidence=code_confidence(s.path or "" for s in scripts) if only_scripts else "medium",
                values={"count": len(evidence) + len(scripts), "kinds": kinds},
            )
        )
    else:
        out.append(miss(views, DE, "No orchestrator, dbt, data-quality or ETL artefacts in the repo's own code"))

    scheduler = sorted(orchestrated) + (["dbt"] if facts.projects else [])
    # rake tasks of an application are its ETL scripts, not data-engineering artefacts of the repo
    scripts = scripts + rake_data_tasks(index)
    if scripts and not scheduler:
        paths = [s.path or "" for s in scripts]
        out.append(
            hit(
                views,
                ETL,
                scripts,
                f"{len(scripts)} ETL script(s)/notebook(s) and no orchestrator or dbt",
                confidence=code_confidence(paths),
                values={"count": len(scripts), "notebooks": sum(p.endswith(".ipynb") for p in paths)},
            )
        )
    elif scripts:
        out.append(
            miss(
                views,
                ETL,
                f"{len(scripts)} ETL script(s), but the repo orchestrates with {', '.join(scheduler)}",
                values={"scripts": len(scripts), "orchestrators": scheduler},
            )
        )
    else:
        out.append(miss(views, ETL, "No ETL scripts (database reads/writes, bulk loads) in the repo's own code"))

    cron = crontabs(index)
    names = sorted({PurePosixPath(c.path or "").name for c in cron})
    out.append(
        hit(views, CRON, cron, f"Cron schedules in the repo: {', '.join(names[:5])}", values={"count": len(cron)})
        if cron
        else miss(views, CRON, "No crontab files, cron.d entries or systemd timers")
    )
    return out
