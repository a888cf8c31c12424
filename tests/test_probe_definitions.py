"""Probe definitions as data: validated at load, complete for every built-in probe, and the source of the
external-signal list. Bad definitions are declared with the real `@probe` decorator, as a plugin would."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from scanner.engine.rules import builtin_rules_dir, load_rules
from scanner.model import Finding
from scanner.probedef import EVIDENCE_KINDS, LIFECYCLES, ProbeFunc, ProbeSpec
from scanner.probekit import miss, probe
from scanner.registry import RegistryError, aliases, load_probes
from scanner.signals import PENDING_SIGNALS, external_signals, known_signals, missing_reason
from scanner.views import Views

ROOT = Path(__file__).resolve().parents[1]
HERE = "tests/test_probe_definitions.py"
OK: dict[str, Any] = {"remediation": "Do the thing.", "evidence": ("file",)}


def _def(probe_id: str, **kwargs: Any) -> ProbeFunc:
    """A probe declared here with the real decorator (so its defining file is this test module)."""
    emits: list[str] = kwargs.get("emits") or [probe_id]

    def run(views: Views) -> list[Finding]:
        return [miss(views, signal, "not seen") for signal in emits]

    return probe(probe_id, summary="a test probe", **{**OK, **kwargs})(run)


def _load(*funcs: ProbeFunc) -> list[ProbeSpec]:
    return load_probes([("plugin t", list(funcs))], plugins=False)


BAD = [
    (lambda: [_def("t.life", lifecycle="beta")], "unknown lifecycle 'beta'; choose from stable, experimental"),
    (lambda: [_def("t.old", lifecycle="deprecated")], "is deprecated without replaced_by"),
    (lambda: [_def("t.rb", replaced_by="t.other")], "has replaced_by but its lifecycle is 'stable'"),
    (
        lambda: [_def("t.old", lifecycle="deprecated", replaced_by="t.nowhere")],
        "replaced_by 't.nowhere' is not another loaded probe",
    ),
    (lambda: [_def("t.norem", remediation="")], "a stable probe needs remediation"),
    (lambda: [_def("t.noev", evidence=())], "a stable probe names the evidence kinds it cites"),
    (lambda: [_def("t.kind", evidence=("file", "screenshot"))], "unknown evidence kind 'screenshot'"),
    (lambda: [_def("t.a"), _def("t.b", aliases=("t.a",))], "alias 't.a' clashes with a live signal or probe"),
    (
        lambda: [_def("t.a", aliases=("t.x",)), _def("t.b", aliases=("t.x",))],
        "alias 't.x' is also declared by 't.a'",
    ),
    (lambda: [_def("t.c", aliases={"t.x": "t.elsewhere"})], "alias 't.x' points to 't.elsewhere', which it does not"),
    (lambda: [_def("t.m", emits=["t.m.a", "t.m.b"], aliases=("t.x",))], "alias 't.x' points to no single signal"),
    (lambda: [_def("t.d", aliases=("Bad Alias",))], "malformed alias 'Bad Alias'"),
]


@pytest.mark.parametrize(("make", "message"), BAD, ids=[m.split(" '")[0][:40] for _, m in BAD])
def test_a_bad_definition_is_refused_naming_the_probe_and_its_file(
    make: Callable[[], list[ProbeFunc]], message: str
) -> None:
    with pytest.raises(RegistryError) as caught:
        _load(*make())
    text = str(caught.value)
    assert message in text
    assert re.search(rf"probe 't\.[a-z]+' \({re.escape(HERE)}, from plugin t\)", text), text


def test_good_definitions_load_with_their_file_lifecycle_and_aliases() -> None:
    specs = _load(
        _def("t.new", aliases=("t.old",)),
        _def("t.older", lifecycle="deprecated", replaced_by="t.new"),
        _def("t.try", lifecycle="experimental", remediation="", evidence=()),
    )
    mine = {s.id: s for s in specs if s.id.startswith("t.")}
    assert mine["t.new"].aliases == {"t.old": "t.new"}
    assert mine["t.older"].replaced_by == "t.new"
    assert {s.file for s in mine.values()} == {HERE}
    assert aliases(specs)["t.old"] == "t.new"
    assert "t.old" in known_signals(specs)


@pytest.fixture(scope="module")
def builtin() -> list[ProbeSpec]:
    return load_probes(plugins=False)


def test_every_builtin_probe_has_a_complete_definition(builtin: list[ProbeSpec]) -> None:
    for spec in builtin:
        assert spec.lifecycle in LIFECYCLES, spec.id
        assert len(spec.remediation.strip()) > 20, f"{spec.id}: remediation missing or too short"
        assert spec.remediation.strip() != spec.summary.strip(), f"{spec.id}: remediation repeats the summary"
        assert spec.evidence and set(spec.evidence) <= set(EVIDENCE_KINDS), spec.id
        assert spec.file.startswith("probes/") and (ROOT / spec.file).is_file(), f"{spec.id}: {spec.file}"
        assert spec.func.__module__.replace(".", "/") + ".py" == spec.file, spec.id


# The list scanner/signals.py kept by hand until the definitions replaced it (people.handoff_artifacts,
# which no rule or probe cited, is gone). Every signal still has the source it had.
HAND_KEPT = {
    **dict.fromkeys(
        "gh.branch_protection.none gh.branch_protection.reviews_required gh.check_runs.release_commits "
        "gh.deploy_frequency gh.deployments.bot_created gh.deployments.count gh.environments.required_reviewers "
        "gh.environments.used gh.gated_sme_merges gh.prs.bot_model_bumps gh.release_cadence_regular "
        "gh.releases.bot_created gh.releases.by_role gh.releases.count gh.releases.manual gh.releases.present "
        "gh.required_checks.ml gh.se_access_ml_repos gh.teams.no_de people.cross_role_reviews "
        "people.de_se.reviews people.ds_se.reviews".split(),
        "github",
    ),
    **dict.fromkeys(
        "mlflow.experiments.active mlflow.experiments.multi_team mlflow.prompts.aliases "
        "mlflow.prompts.linked_to_runs mlflow.prompts.versions_by_automation mlflow.registry.aliases "
        "mlflow.registry.multi_alias_live mlflow.registry.versions mlflow.runs.dataset_inputs "
        "mlflow.runs.git_linked mlflow.runs.job_sourced mlflow.scorers.active mlflow.traces.assessments "
        "mlflow.traces.recent".split(),
        "mlflow",
    ),
    **dict.fromkeys(
        "catalog.access_request_workflow catalog.assets.present catalog.audit.enabled "
        "catalog.classification.auto_confirmed catalog.classification.present "
        "catalog.coverage.ingestion_all_sources catalog.dbt.contracts.enforced "
        "catalog.dbt.grants.pii_differentiated catalog.dbt.tests.executed catalog.dbt.tests.relationships "
        "catalog.coverage.owners catalog.data_products catalog.domains.defined catalog.entity_key_inconsistency "
        "catalog.glossary.absent catalog.glossary.high_coverage catalog.glossary.low_coverage "
        "catalog.lineage.table_to_model catalog.masks.coverage catalog.mlflow_ingested "
        "catalog.pii.untagged_names catalog.policy.tag_based catalog.uc.billing_by_tag catalog.uc.column_masks "
        "catalog.uc.row_filters catalog.uc.table_privileges".split(),
        "catalog",
    ),
}
PREFIX_SOURCE = {"gh.": "github", "people.": "github", "mlflow.": "mlflow", "catalog.": "catalog"}


def test_the_derived_external_signals_keep_every_hand_kept_source(builtin: list[ProbeSpec]) -> None:
    derived = external_signals(builtin)
    assert {s: derived.get(s) for s in HAND_KEPT} == HAND_KEPT
    for signal, source in derived.items():  # and what the hand list missed follows the same convention
        assert [v for p, v in PREFIX_SOURCE.items() if signal.startswith(p)] == [source], signal


def test_pending_signals_are_cited_by_rules_and_emitted_by_no_probe(builtin: list[ProbeSpec]) -> None:
    emitted = {s for spec in builtin for s in spec.emits}
    cited = load_rules(builtin_rules_dir(), known_signals(builtin)).signals()
    assert set(PENDING_SIGNALS) <= cited
    assert not set(PENDING_SIGNALS) & emitted, "a probe emits it now: take it off PENDING_SIGNALS"


def test_a_missing_external_signal_names_its_source(builtin: list[ProbeSpec]) -> None:
    external = external_signals(builtin)
    assert missing_reason("mlflow.traces.recent", external).endswith("needs an MLflow tracking server: --mlflow URI")
    assert missing_reason("gh.gated_sme_merges", external).endswith("scan github:ORG or github:ORG/REPO")
    assert missing_reason("repo.tests.unit", external).endswith("no selected probe emits it")


OLD_CITE = re.compile(r"signal: ci\.deploy_on_merge(?=[},\s])")


def _rules_citing_the_old_id(tmp_path: Path) -> tuple[Path, int]:
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    cited = 0
    for path in builtin_rules_dir().glob("*.yml"):
        text, count = OLD_CITE.subn("signal: ci.old_deploy_on_merge", path.read_text(encoding="utf-8"))
        (rules_dir / path.name).write_text(text, encoding="utf-8")
        cited += count
    return rules_dir, cited


def test_rules_citing_an_alias_read_the_current_signal(tmp_path: Path, builtin: list[ProbeSpec]) -> None:
    """A signal renamed from `ci.old_deploy_on_merge` to `ci.deploy_on_merge`: a rules folder that still
    cites the old id loads, and reads exactly as the rules citing the new id."""
    renamed = [
        replace(s, aliases={"ci.old_deploy_on_merge": "ci.deploy_on_merge"}) if "ci.deploy_on_merge" in s.emits else s
        for s in builtin
    ]
    rules_dir, cited = _rules_citing_the_old_id(tmp_path)
    assert cited > 5, "the built-in rules no longer cite ci.deploy_on_merge: pick another signal"
    old = load_rules(rules_dir, known_signals(renamed), aliases(renamed))
    new = load_rules(builtin_rules_dir(), known_signals(builtin))
    assert "ci.old_deploy_on_merge" not in old.signals()
    assert old.signals() == new.signals()
    assert [a.dimensions for a in old.areas.values()] == [a.dimensions for a in new.areas.values()]


def test_without_the_alias_the_old_id_is_an_unknown_signal(tmp_path: Path, builtin: list[ProbeSpec]) -> None:
    from scanner.engine.rules import RulesError

    rules_dir, _ = _rules_citing_the_old_id(tmp_path)
    with pytest.raises(RulesError, match=re.escape("unknown signal 'ci.old_deploy_on_merge'")):
        load_rules(rules_dir, known_signals(builtin))
