"""LLM evaluations in CI: do they run automatically and can they fail the build, and do they run when
prompts change? An eval config no CI job runs (promptfooconfig.yaml alone) is not automation."""

from __future__ import annotations

from probes.ci._code import scripts_matching, test_targets_llm, unique
from probes.ci._common import NEEDS, Site, absent, automatic, confidence, describe, job_ids, location, sites, views_of
from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import CIModel
from scanner.facts.paths import match_glob, path_domain
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import hit, probe
from scanner.views import Views

PROMPT_WORDS = ("prompt", ".prompty", "skprompt", "promptfooconfig", "flow.dag")


def llm_eval_sites(repo: RepoIndex, ci: CIModel) -> list[Site]:
    """LLM eval commands, pytest runs over deepeval/ragas tests, and scripts calling LLM eval APIs."""
    found = sites(ci, cmd.LLM_EVAL)
    found += [s for s in sites(ci, cmd.TEST) if test_targets_llm(repo, s)]
    found += scripts_matching(ci, repo, "llm_eval")
    return unique(found)


@probe(
    "ci.llm.eval_automated",
    needs=NEEDS,
    summary="LLM evaluations (promptfoo, deepeval, ragas, mlflow.genai.evaluate, ...) run in CI on a schedule "
    "or on changes, and their exit code can fail the job.",
    evidence=("ci_job", "file"),
    remediation="Run the LLM eval suite (promptfoo, deepeval, ragas, mlflow.genai.evaluate) in CI on changes or "
    "on a schedule, and let failing scores fail the job.",
)
def llm_eval_automated(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    every = llm_eval_sites(repo, ci)
    found = [s for s in every if s.gate]
    if not found:
        masked = len(every)
        why = f"; {masked} LLM eval step(s) can never fail (|| true, continue-on-error)" if masked else ""
        return [
            absent(
                views,
                "ci.llm.eval_automated",
                f"no CI job runs LLM evaluations as a gate{why}",
                values={"masked": masked},
            )
        ]
    auto = [s for s in found if automatic(ci, s)]
    how = "automatically" if auto else "only when started by hand"
    return [
        hit(
            views,
            "ci.llm.eval_automated",
            [location(repo, s) for s in auto or found],
            f"{len(job_ids(auto or found))} CI job(s) run LLM evaluations {how}: {describe(auto or found)}",
            confidence=confidence(ci, found),
            values={"count": len(job_ids(found)), "automatic": bool(auto)},
        )
    ]


@probe(
    "ci.prompt_tests",
    needs=NEEDS,
    summary="LLM eval jobs run when prompt files change (path filters on prompts).",
    evidence=("ci_job", "file"),
    remediation="Run the LLM evals when prompt files change: add path filters on the prompt folders to the eval "
    "workflow.",
)
def prompt_tests(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    found, filters = [], set()
    for site in llm_eval_sites(repo, ci):
        if not site.gate:
            continue
        paths = [p for t in ci.effective_triggers(site.pipeline, site.job, site.step) if t.automatic for p in t.paths]
        prompt_paths = [p for p in paths if _is_prompt_filter(repo, p)]
        if prompt_paths:
            found.append(site)
            filters.update(prompt_paths)
    if not found:
        return [absent(views, "ci.prompt_tests", "no LLM eval job is triggered by changes to prompt files")]
    return [
        hit(
            views,
            "ci.prompt_tests",
            [location(repo, s) for s in found],
            f"{len(job_ids(found))} LLM eval job(s) run on prompt changes ({', '.join(sorted(filters))}): "
            f"{describe(found)}",
            values={"count": len(job_ids(found)), "path_filters": sorted(filters)},
        )
    ]


def _is_prompt_filter(repo: RepoIndex, pattern: str) -> bool:
    if pattern.startswith("!"):  # paths-ignore / negated filters do not select prompt changes
        return False
    if any(w in pattern.lower() for w in PROMPT_WORDS):
        return True
    return any(path_domain(p) == "PROMPT" for p in repo.paths() if match_glob(p, pattern))
