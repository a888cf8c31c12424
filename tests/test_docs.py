"""The generated docs match the registry and the rules (regenerate with `python -m scanner.docgen`)."""

from __future__ import annotations

from scanner.docgen import generate


def test_generated_docs_are_current() -> None:
    for path, text in generate().items():
        assert path.is_file(), f"{path} is missing: run python -m scanner.docgen"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run python -m scanner.docgen"
