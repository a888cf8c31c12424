"""The generated docs match the registry and the rules (regenerate with `python -m scanner.docgen`)."""

from __future__ import annotations

from scanner.docgen import DOCS, generate


def test_generated_docs_are_current() -> None:
    for path, text in generate().items():
        assert path.is_file(), f"{path} is missing: run python -m scanner.docgen"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run python -m scanner.docgen"


def test_the_model_page_shows_every_dimension_criterion_and_signal() -> None:
    """docs/model.md: each dimension, each criterion and each signal the rules cite, linked to its probe."""
    import re

    from scanner.engine.rules import builtin_rules_dir, load_rules
    from scanner.registry import load_probes
    from scanner.signals import PENDING_SIGNALS

    text = (DOCS / "model.md").read_text(encoding="utf-8")
    rules = load_rules(builtin_rules_dir())
    for area in rules.areas.values():
        for dim in area.dimensions.values():
            assert f"### {dim.title} (`{area.id}.{dim.id}`)" in text
            for crit in dim.criteria:
                assert f"`{crit.id.split('.')[-1]}`" in text, crit.id
    emitted = {s for spec in load_probes(plugins=False) for s in spec.emits}
    for signal in rules.signals():
        linked = re.search(rf"\[`{re.escape(signal)}`\]\(probes\.md#[a-z0-9_-]+\)", text)
        assert linked or signal in PENDING_SIGNALS or signal.endswith(".*"), signal
        assert signal.endswith(".*") or signal in emitted or signal in PENDING_SIGNALS
    probe_anchors = set(re.findall(r"^### (\S+)$", (DOCS / "probes.md").read_text(encoding="utf-8"), re.M))
    for anchor in set(re.findall(r"\(probes\.md#([^)]+)\)", text)):
        assert anchor in {a.replace(".", "").lower() for a in probe_anchors}, anchor
    headings = {re.sub(r"[^a-z0-9 _-]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", text, re.M)}
    for anchor in re.findall(r"\]\(#([^)]+)\)", text):
        assert anchor in headings, anchor


# References that are not in the repository: the code and docs point to docs/model.md or docs/probes.md.
OUTSIDE = (
    "signals-reference",
    "ARCHITECTURE.md",
    "CALIBRATION.md",
    "STYLE.md",
    "aiops-maturity-model",
    "../shared/design",
    "../shared/seed",
    "§",
)


def test_no_code_or_doc_cites_a_reference_outside_the_repository() -> None:
    root = DOCS.parent
    files = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    for folder in ("scanner", "probes", "rules"):
        files += sorted(p for p in (root / folder).rglob("*") if p.suffix in (".py", ".yml", ".yaml", ".md"))
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(ref in line for ref in OUTSIDE)
    ]
    assert not found, "\n".join(found)
