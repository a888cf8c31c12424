"""Model work in CI: training, evaluation, evaluation gates, model integration, model security scans,
and evaluation results posted back to the team."""

from __future__ import annotations

from probes.ci._code import fails_on_threshold
from probes.ci._common import (
    NEEDS,
    Site,
    absent,
    any_hit,
    confidence,
    describe,
    job_ids,
    job_steps,
    jobs_hit,
    location,
    sites,
    steps_after,
    steps_before,
    trigger_kinds,
    views_of,
)
from scanner.facts.ci import commands as cmd
from scanner.model import Finding
from scanner.probekit import hit, probe
from scanner.views import Views

EVALS = (cmd.EVALUATE, cmd.LLM_EVAL)


@probe(
    "ci.trains_model",
    needs=NEEDS,
    summary="A CI job trains a model (train*.py, dvc repro, mlflow run, az ml job create, kedro/zenml runs...).",
    evidence=("ci_job", "file"),
    remediation="Train models in a CI job (a train script, dvc repro, mlflow run, az ml job create, kedro or "
    "zenml runs), so that training is repeatable.",
)
def trains_model(views: Views) -> list[Finding]:
    return _jobs_doing(views, "ci.trains_model", cmd.TRAIN, "train a model", "no CI job trains a model")


@probe(
    "ci.evaluates_model",
    needs=NEEDS,
    summary="A CI job evaluates a model (evaluate*.py, model comparison scripts, dvc metrics diff).",
    evidence=("ci_job", "file"),
    remediation="Add a CI job that evaluates the model (an evaluate script, dvc metrics diff, a comparison "
    "against the current model).",
)
def evaluates_model(views: Views) -> list[Finding]:
    return _jobs_doing(views, "ci.evaluates_model", cmd.EVALUATE, "evaluate a model", "no CI job evaluates a model")


def _jobs_doing(views: Views, signal: str, category: str, what: str, none: str) -> list[Finding]:
    """One finding: the CI jobs whose steps fall in `category`, or none."""
    _, ci = views_of(views)
    found = sites(ci, category)
    if not found:
        return [absent(views, signal, none)]
    values = {"jobs": job_ids(found), "triggers": trigger_kinds(ci, found)}
    return [jobs_hit(views, signal, found, what, confidence=confidence(ci, found), values=values)]


@probe(
    "ci.model_eval_gate",
    needs=NEEDS,
    summary="A CI step evaluates a candidate model against thresholds or the champion and fails the job, "
    "upstream of registration or deploy.",
    evidence=("ci_job", "file"),
    remediation="Make CI compare the candidate model with thresholds or the champion and fail before "
    "registration or deploy when it is worse.",
)
def model_eval_gate(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    gates = [s for s in sites(ci, cmd.EVALUATE) if s.gate and fails_on_threshold(repo, s)]
    if not gates:
        evals = sites(ci, cmd.EVALUATE)
        why = f"; {len(evals)} evaluation step(s) never fail on a threshold" if evals else ""
        return [absent(views, "ci.model_eval_gate", f"no CI evaluation step gates the model{why}")]
    upstream = [s for s in gates if any_hit(steps_after(ci, s), cmd.DEPLOY, cmd.REGISTER)]
    found = upstream or gates
    where = "before registration/deploy" if upstream else "with nothing registered or deployed after it"
    return [
        hit(
            views,
            "ci.model_eval_gate",
            [location(repo, s) for s in found],
            f"{len(job_ids(found))} CI evaluation gate(s) {where}: {describe(found)}",
            confidence=confidence(ci, found) if upstream else "low",
            values={"count": len(job_ids(found)), "before_deploy": bool(upstream)},
        )
    ]


@probe(
    "ci.model_integration_automated",
    needs=NEEDS,
    summary="A CI job fetches a model from a registry or artefact store and builds an image or runs tests with it.",
    evidence=("ci_job", "file"),
    remediation="Have CI fetch the model from the registry or artefact store and build the serving image or run "
    "the integration tests with it.",
)
def model_integration_automated(views: Views) -> list[Finding]:
    _, ci = views_of(views)
    found = [s for s in sites(ci, cmd.MODEL_FETCH) if _then_builds_or_tests(views, s)]
    if not found:
        return [
            absent(
                views, "ci.model_integration_automated", "no CI job fetches a model and then builds or tests with it"
            )
        ]
    only_dvc = all("dvc" in s.hit.text for s in found)
    return [
        jobs_hit(
            views,
            "ci.model_integration_automated",
            found,
            "fetch a model and build/test with it",
            confidence="low" if only_dvc else confidence(ci, found),
            values={"jobs": job_ids(found)},
        )
    ]


def _then_builds_or_tests(views: Views, site: Site) -> bool:
    _, ci = views_of(views)
    later = steps_after(ci, site)
    return any_hit(later, cmd.BUILD) or any_hit(later, cmd.TEST, gate=True)


@probe(
    "ci.model_security_scan",
    needs=NEEDS,
    summary="CI scans models or ML code for security issues (modelscan, picklescan, modelaudit, fickling, "
    "garak, promptfoo redteam, bandit on the code, SBOMs of the images).",
    evidence=("ci_job", "file"),
    remediation="Scan model files and ML code in CI (modelscan, picklescan, modelaudit, bandit; garak or "
    "promptfoo redteam for LLMs) and publish SBOMs of the images.",
)
def model_security_scan(views: Views) -> list[Finding]:
    repo, ci = views_of(views)
    found = sites(ci, cmd.SECURITY)
    if not found:
        return [absent(views, "ci.model_security_scan", "no model or code security scan in CI")]
    kinds = sorted({s.hit.target for s in found})
    specific = [s for s in found if s.hit.target in ("model", "llm_redteam")]
    return [
        hit(
            views,
            "ci.model_security_scan",
            [location(repo, s) for s in specific or found],
            f"CI runs security scans ({', '.join(kinds)}): {describe(specific or found)}",
            # bandit on training code and SBOMs of model images count as model security scans too
            confidence=confidence(ci, specific or found),
            values={"count": len(job_ids(found)), "kinds": kinds},
        )
    ]


@probe(
    "ci.staging_eval_feedback",
    needs=NEEDS,
    summary="Evaluation results are posted back to the team (PR comments from eval jobs, promptfoo action, CML "
    "reports).",
    evidence=("ci_job", "file"),
    remediation="Post evaluation results back to the pull request or team (PR comments from eval jobs, the "
    "promptfoo action, CML reports).",
)
def staging_eval_feedback(views: Views) -> list[Finding]:
    _, ci = views_of(views)
    strong, weak = [], []
    for site in sites(ci, cmd.POST_RESULTS):
        around = [*steps_before(ci, site), *job_steps(site.job)]
        if site.hit.category == cmd.LLM_EVAL or any_hit(around, *EVALS) or "promptfoo" in site.hit.text:
            strong.append(site)
        elif any_hit(around, cmd.TRAIN):
            weak.append(site)
    found = strong or weak
    if not found:
        return [absent(views, "ci.staging_eval_feedback", "no CI job posts evaluation results back")]
    what = "evaluation" if strong else "training"
    return [
        jobs_hit(
            views,
            "ci.staging_eval_feedback",
            found,
            f"post {what} results back",
            confidence=confidence(ci, found) if strong else "low",
            values={"after": what},
        )
    ]
