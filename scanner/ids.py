"""The fixed public identifiers: levels, areas and dimensions (docs/model.md lists them)."""

from __future__ import annotations

LEVELS: tuple[str, ...] = ("initial", "minimal", "procedural", "innovative", "leading")

AREAS: dict[str, tuple[str, ...]] = {
    "people": ("data_scientists", "data_engineers", "software_engineers"),
    "data_management": ("data_sources", "data_store", "data_sensitivity", "data_access", "etl_tasks"),
    "model_creation": ("data_gathering", "compute_management", "experiment_tracking", "end_result"),
    "model_deployment": ("process", "scoring_script", "release_management"),
    "llmops": (
        "discovery_and_testing",
        "inference_resources",
        "prompt_management",
        "deployment",
        "monitoring",
    ),
    "app_integration": (
        "expertise_reliance",
        "integration_tests",
        "release_process",
        "application_code_tests",
    ),
}

OUTCOMES: tuple[str, ...] = ("true", "false", "not_available", "not_applicable", "error")
CONFIDENCES: tuple[str, ...] = ("low", "medium", "high")
CONFIDENCE_WEIGHT: dict[str, float] = {"low": 0.4, "medium": 0.7, "high": 0.9}


def level_index(level: str) -> int:
    return LEVELS.index(level)


def find_dimension(dimension: str) -> tuple[str, str]:
    """Resolve `area.dimension` or a bare dimension id to (area, dimension)."""
    if "." in dimension:
        area, dim = dimension.split(".", 1)
        if dim in AREAS.get(area, ()):
            return area, dim
        raise KeyError(dimension)
    for area, dims in AREAS.items():
        if dimension in dims:
            return area, dimension
    raise KeyError(dimension)
