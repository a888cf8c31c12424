"""Who works on the repository: how many people, how concentrated, and which roles are present."""

from __future__ import annotations

from collections import Counter

from scanner.facts.history import Commit, History
from scanner.model import Finding
from scanner.probekit import hit, miss, not_applicable, probe
from scanner.views import Views

from ._common import ROLE_WORDS, commit_locations, missing_history, names, window_words

SINGLE_AUTHOR_SHARE = 0.9
PRESENCE = {"DS": "people.ds.present", "DE": "people.de.present", "SE": "people.se.present"}
SIGNALS = ("git.multi_author", "git.repo.single_author", *PRESENCE.values())


@probe(
    "history.authors",
    summary="Non-bot authors in the last 12 months: several or one, and which roles (DS, DE, SE) they play",
    emits=SIGNALS,
    needs=("history",),
    evidence=("commit",),
    remediation="Bring several roles to the repo: data scientists, data engineers and software engineers "
    "committing to the same code, not one person working alone.",
)
def authors(views: Views) -> list[Finding]:
    history = views.history
    if history is None:
        return missing_history(views, SIGNALS)
    return [_multi(views, history), _single(views, history), *(_present(views, history, r) for r in PRESENCE)]


def _latest_by(history: History, keys: set[str], per_author: int = 3) -> list[tuple[Commit, str | None]]:
    """Each author's latest commits (at most `per_author`), to cite."""
    seen: Counter[str] = Counter()
    out: list[tuple[Commit, str | None]] = []
    for commit in history.commits:
        who = [k for k in commit.identities if k in keys and seen[k] < per_author]
        if who:
            seen.update(who)
            out.append((commit, None))
    return out


def _multi(views: Views, history: History) -> Finding:
    signal = "git.multi_author"
    people = set(history.authors)
    values = {"authors": len(people), "commits": len(history.commits), "bot_commits": history.bot_commits}
    if len(people) >= 2:
        locs = commit_locations(history, _latest_by(history, people, 1))
        msg = f"{len(people)} non-bot authors active in {window_words(history)}: {names(history, people)}"
        return hit(views, signal, locs, msg, values={**values, "count": len(people)})
    msg = f"{len(people)} non-bot author(s) active in {window_words(history)}"
    return miss(views, signal, msg, values=values)


def _single(views: Views, history: History) -> Finding:
    signal = "git.repo.single_author"
    total = len(history.commits)
    if not total:
        return not_applicable(views, signal, f"no non-bot commits in {window_words(history)}")
    top, count = Counter(c.author for c in history.commits).most_common(1)[0]
    share = round(count / total, 2)
    values = {"share": share, "commits": total, "top_author_commits": count, "authors": len(history.authors)}
    who = history.authors[top].name or top
    if count / total >= SINGLE_AUTHOR_SHARE:
        locs = commit_locations(history, _latest_by(history, {top}, 5))
        msg = f"{who} authored {count} of {total} non-bot commits ({share:.0%}) in {window_words(history)}"
        return hit(views, signal, locs, msg, values={**values, "count": count})
    msg = f"the most active author made {share:.0%} of {total} non-bot commits (< {SINGLE_AUTHOR_SHARE:.0%})"
    return miss(views, signal, msg, values=values)


def _present(views: Views, history: History, role: str) -> Finding:
    signal = PRESENCE[role]
    people = history.authors_with_role(role)
    word = ROLE_WORDS[role]
    values = {"authors": len(people), "of_authors": len(history.authors)}
    if not people:
        return miss(views, signal, f"no author whose changes are mostly {word} files", values=values, confidence="low")
    keys = {a.key for a in people}
    locs = commit_locations(history, _latest_by(history, keys, 2))
    msg = (
        f"{len(people)} author(s) mostly change {word} files ({names(history, keys)}); role inferred from changed paths"
    )
    values.update(count=len(people), commits=sum(a.commits for a in people))
    return hit(views, signal, locs, msg, confidence="low", values=values)
