"""What the history says about models and prompts: binaries committed by hand, prompts edited often,
and scoring code that arrived long after training code."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from scanner.facts.history import Commit, History
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import hit, miss, not_applicable, probe, unavailable
from scanner.views import Views

from ._common import commit_locations, kept, missing_history, window_words
from ._files import FileClass, is_model_binary, prompt_files, scoring_files, training_files

RECENT_DAYS = 182
CHURN_MIN_COMMITS = 3
LATE_DAYS = 30


@probe(
    "git.model_binary_handoff",
    summary="Commits adding or replacing model binaries (*.pkl, *.onnx, *.pt, ...) in the repository",
    needs=("history",),
    evidence=("commit",),
    remediation="Stop committing model binaries to git: publish models to a registry or DVC remote and let the "
    "application load them from there.",
)
def model_binary_handoff(views: Views) -> list[Finding]:
    signal = "git.model_binary_handoff"
    history = views.history
    if history is None:
        return missing_history(views, [signal])
    commits = [(c, [p for p in kept(c) if is_model_binary(p)]) for c in history.commits]
    commits = [(c, paths) for c, paths in commits if paths]
    recent = history.since(RECENT_DAYS)
    roles = Counter(history.role_of(c.author) for c, _ in commits)
    values = {
        "commits": len(commits),
        "last_6_months": sum(c in recent for c, _ in commits),
        "files": len({p for _, paths in commits for p in paths}),
        "roles": dict(sorted(roles.items())),
    }
    if not commits:
        return [miss(views, signal, f"no model binary committed in {window_words(history)}", values=values)]
    locs = commit_locations(history, ((c, paths[0]) for c, paths in commits))
    msg = (
        f"{len(commits)} commit(s) added or replaced model binaries ({values['last_6_months']} in the last 6 months), "
        f"by {', '.join(f'{r} ({n})' for r, n in sorted(roles.items()))} role authors"
    )
    return [hit(views, signal, locs, msg, values={**values, "count": len(commits)})]


@probe(
    "git.prompt_edit_churn",
    summary="Prompt files changed in at least 3 commits over the last 6 months (prompts iterated as files)",
    needs=("repo", "history"),
    evidence=("commit", "file"),
    remediation="Keep prompts in their own files and iterate on them there, so that each change is a reviewed commit.",
)
def prompt_edit_churn(views: Views) -> list[Finding]:
    signal = "git.prompt_edit_churn"
    history, index = views.history, views.repo
    if history is None or index is None:
        return missing_history(views, [signal])
    prompts = prompt_files(index)
    touched = history.touching(prompts, history.since(RECENT_DAYS))
    if not touched and not prompts.present(index):
        return [not_applicable(views, signal, "no prompt files in the repository")]
    values = {"commits": len(touched), "files": len({p for _, paths in touched for p in paths})}
    locs = commit_locations(history, ((c, paths[0]) for c, paths in touched))
    if len(touched) >= CHURN_MIN_COMMITS:
        msg = f"{len(touched)} commits changed prompt files in the last 6 months"
        return [hit(views, signal, locs, msg, values={**values, "count": len(touched)})]
    msg = f"{len(touched)} commit(s) changed prompt files in the last 6 months (< {CHURN_MIN_COMMITS})"
    return [miss(views, signal, msg, values=values, locations=locs or None)]


@probe(
    "git.scoring_late",
    summary="Scoring/serving code first appeared 30 days or more after the first training code",
    needs=("repo", "history"),
    evidence=("commit", "file"),
    remediation="Write the scoring or serving code alongside training (a scoring script from the first model), "
    "not weeks later as a hand-off.",
)
def scoring_late(views: Views) -> list[Finding]:
    signal = "git.scoring_late"
    history, index = views.history, views.repo
    if history is None or index is None:
        return missing_history(views, [signal])
    return [_late(views, history, index, signal)]


def _start(history: History, index: RepoIndex, files: FileClass) -> tuple[Commit | None, bool, bool]:
    """(earliest commit adding a file of the class, whether the class predates the window, whether it exists)."""
    paths = set(files.present(index)) | {p for _, ps in history.touching(files) for p in ps}
    firsts = [c for c in (history.first_added(p) for p in paths) if c is not None]
    first = min(firsts, key=lambda c: (c.date, c.sha)) if firsts else None
    before = not history.covers_start and any(history.first_added(p) is None for p in files.present(index))
    return first, before, bool(paths)


def _late(views: Views, history: History, index: RepoIndex, signal: str) -> Finding:
    s_first, s_before, s_exists = _start(history, index, scoring_files(index))
    t_first, t_before, t_exists = _start(history, index, training_files(index))
    if not s_exists or not t_exists:
        what = "scoring" if not s_exists else "training"
        return not_applicable(views, signal, f"no {what} code found (needs both training and scoring code)")
    locs = commit_locations(history, [(c, None) for c in (s_first, t_first) if c is not None])
    if s_before and t_before:
        return unavailable(
            views, signal, f"training and scoring code both predate the {history.window_days}-day window"
        )
    if s_before or (s_first and t_first and s_first.date < t_first.date):
        return miss(
            views,
            signal,
            "scoring code appeared before training code",
            locations=locs or None,
            confidence="low",
        )
    if s_first is None:
        return unavailable(views, signal, "could not date the first scoring commit")
    t_date: datetime = history.window_start if t_before or t_first is None else t_first.date
    days = (s_first.date - t_date).days
    values = {"days": days, "lower_bound": t_before}
    if days >= LATE_DAYS:
        bound = "at least " if t_before else ""
        msg = f"first scoring code came {bound}{days} days after the first training code (>= {LATE_DAYS})"
        return hit(views, signal, locs, msg, confidence="low", values={**values, "count": 1})
    if t_before:
        return unavailable(views, signal, f"training code predates the window; scoring came {days}+ days later")
    msg = f"first scoring code came {days} days after the first training code (< {LATE_DAYS})"
    return miss(views, signal, msg, values=values, locations=locs or None, confidence="low")
