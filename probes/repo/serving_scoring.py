"""Scoring code: Azure ML score.py, SageMaker inference handlers, BentoML/KServe/TorchServe/MLflow pyfunc
models, web routes that call predict; and the tests that exercise them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from probes.repo._ml import (
    CODE,
    INFERENCE_NAME,
    code_files,
    confidence_for,
    facts,
    loc,
    memo,
    method_calls,
    model_call_path,
    module_map,
    predict_calls,
    reaching,
    repo_of,
    route_calls,
    route_decorators,
    training_calls,
    words,
)
from probes.repo.tests_collect import all_tests
from scanner.facts.paths import file_stem
from scanner.facts.python_facts import PyFacts
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding
from scanner.probekit import hit, miss, probe
from scanner.views import Views

SERVING_BASES = {
    "kserve.Model": "KServe model",
    "kserve.model.Model": "KServe model",
    "mlflow.pyfunc.PythonModel": "MLflow pyfunc model",
    "mlflow.pyfunc.model.PythonModel": "MLflow pyfunc model",
    "mlserver.MLModel": "MLServer model",
    "cog.BasePredictor": "Cog predictor",
}
SERVING_DECORATORS = {"bentoml.service": "BentoML service", "ray.serve.deployment": "Ray Serve deployment"}
SAGEMAKER_HANDLERS = ("predict_fn", "transform_fn", "input_fn", "output_fn")
SERVERLESS_HANDLERS = ("lambda_handler", "handler")
SERVERLESS_IMPORTS = ("aws_lambda_powertools", "azure.functions", "functions_framework", "mangum")
QUEUE_CONSUMERS = words(
    """KafkaConsumer confluent_kafka.Consumer AIOKafkaConsumer EventHubConsumerClient ServiceBusClient
    SubscriberClient basic_consume receive_message receive_messages"""
)
ORCHESTRATED_TASKS = words(
    """dagster.asset dagster.multi_asset dagster.op airflow.decorators.task airflow.sdk.task prefect.task
    prefect.flow flytekit.task zenml.step metaflow.step"""
)
PREDICTION_WRITES = words(
    """to_csv to_parquet to_sql to_gbq write_parquet write_csv write_database write_delta insert_rows_json
    put_item batch_write_item"""
)


# Runtime code that ranks or scores with learned statistics: online feature store reads and bandit rankers.
ONLINE_FEATURE_READS = words(
    """get_online_features get_online_features_async read_online_features FeatureStoreClient.score_batch"""
)
FEATURE_STORE_RUNTIME = "sagemaker-featurestore-runtime"
BANDIT_NAME = re.compile(r"thompson|bandit|\bucb|epsilon_greedy|exp3", re.I)
BETA_DRAWS = words("""scipy.stats.beta scipy.stats.beta.rvs numpy.random.beta""")


def online_model_sites(index: RepoIndex) -> list[tuple[str, int, str]]:
    """(path, line, what) for runtime code that reads an online feature store or ranks with a bandit
    (Thompson sampling over Beta draws): ML in production with no fit() call in the repo."""
    out = []
    for path in code_files(index, notebooks=False):
        f = facts(index, path)
        reads = f.calls_to(*ONLINE_FEATURE_READS)
        reads += [c for c in f.calls if FEATURE_STORE_RUNTIME in c.str_args]
        if reads:
            out.append((path, reads[0].line, "online feature store read"))
        draws = f.calls_to(*BETA_DRAWS) + [c for c in method_calls(f, "rvs") if f.imported("scipy.stats") is not None]
        if draws and any(BANDIT_NAME.search(n) for n in f.functions):
            out.append((path, draws[0].line, "bandit ranker"))
    return out


@dataclass(frozen=True)
class ScoringSite:
    path: str
    line: int
    kind: str


def _sites_in(path: str, f: PyFacts) -> list[ScoringSite]:
    out = []
    fn = f.functions
    if file_stem(path).startswith("score") and "init" in fn and "run" in fn:
        out.append(ScoringSite(path, fn["init"], "Azure ML score.py (init/run)"))
    if "model_fn" in fn and any(h in fn for h in SAGEMAKER_HANDLERS):
        out.append(ScoringSite(path, fn["model_fn"], "SageMaker inference handler"))
    for name, bases, line in f.classes:
        kinds = [k for k in map(_base_kind, bases) if k]
        if name == "TritonPythonModel":
            kinds.append("Triton Python model")
        out += [ScoringSite(path, line, k) for k in kinds]
    for name, line in f.decorators:
        if name in SERVING_DECORATORS:
            out.append(ScoringSite(path, line, SERVING_DECORATORS[name]))
    for c in f.calls_to("bentoml.Service"):
        out.append(ScoringSite(path, c.line, "BentoML service"))
    routes = route_decorators(f)
    if routes and predict_calls(f):
        out.append(ScoringSite(path, routes[0][1], "web route calling predict"))
    return out


# Commands that start a model server for packaged models (a serving platform that fetches, containerises and
# serves models it did not train): BentoML, MLflow, TorchServe, Triton, TF Serving, Seldon, or a model-serve CLI.
MODEL_SERVE_CMD = re.compile(
    r"\b(bentoml\s+serve|mlflow\s+models\s+serve|torchserve\s+--start|tritonserver\s|tensorflow_model_server\s"
    r"|seldon-core-microservice\s|[a-z]{1,30}_model_serve\s)"
)


def _serve_launch_sites(path: str, f: PyFacts) -> list[ScoringSite]:
    lines = sorted({line for line, s in f.strings if MODEL_SERVE_CMD.search(s)})
    lines += sorted({c.line for c in f.calls if any(MODEL_SERVE_CMD.search(a) for a in c.str_args)})
    serve_code = "serve" in path.lower() or any(n.startswith("serve") for n in f.functions)
    if not lines or not serve_code:
        return []
    return [ScoringSite(path, min(lines), "model server launcher")]


def _batch_named(path: str) -> bool:
    """A script named for scoring (score_batch.py, predict.py, run_inference.py), not an evaluation script that
    also predicts on a test set."""
    return bool(INFERENCE_NAME.search(file_stem(path))) and not _evaluation_named(path)


def _evaluation_named(path: str) -> bool:
    stem = file_stem(path).lower()
    return any(w in stem for w in ("eval", "metric", "valid", "bench"))


def _reaches_model(index: RepoIndex, path: str) -> str | None:
    """How the file gets to a model call: "" in the file itself, " via <module>" through local modules."""
    chain = model_call_path(index, path)
    if not chain:
        return None
    return "" if len(chain) == 1 else f" via {chain[-1]}"


def _entry_sites(index: RepoIndex, path: str, f: PyFacts) -> list[ScoringSite]:
    """Entrypoints that end in a model call, in the file or through the repo's own modules (a small call
    graph): web routes (custom route decorators too), serverless handlers, queue and stream workers,
    orchestrated batch-scoring tasks and scripts that write predictions. Training files are not scoring."""
    if index.kind(path) != "code" or path.endswith(".ipynb") or training_calls(path, f):
        return []
    out = []
    routes = route_calls(f)
    if routes and not (route_decorators(f) and predict_calls(f)):
        via = _reaches_model(index, path)
        if via is not None:
            out.append(ScoringSite(path, routes[0].line, f"web route calling a model{via}"))
    handlers = [n for n in SERVERLESS_HANDLERS if n in f.functions]
    serverless = f.imported(*SERVERLESS_IMPORTS) is not None or "lambda" in path.lower()
    if handlers and serverless and (via := _reaches_model(index, path)) is not None:
        out.append(ScoringSite(path, f.functions[handlers[0]], f"serverless handler calling a model{via}"))
    consumers = f.calls_to(*QUEUE_CONSUMERS)
    if consumers and (via := _reaches_model(index, path)) is not None:
        out.append(ScoringSite(path, consumers[0].line, f"queue/stream worker calling a model{via}"))
    tasks = [(n, line) for n, line in f.decorators if n in ORCHESTRATED_TASKS]
    if tasks and not _evaluation_named(path) and (via := _reaches_model(index, path)) is not None:
        out.append(ScoringSite(path, tasks[0][1], f"orchestrated batch scoring{via}"))
    elif _batch_named(path) and f.main_guard and predict_calls(f) and method_calls(f, *PREDICTION_WRITES):
        out.append(ScoringSite(path, predict_calls(f)[0].line, "batch scoring script writing predictions"))
    return out


def _base_kind(base: str) -> str | None:
    if base.startswith("ts.torch_handler") or base == "BaseHandler":
        return "TorchServe handler"
    return SERVING_BASES.get(base)


def scoring_sites(index: RepoIndex) -> list[ScoringSite]:
    """Scoring entrypoints in the organisation's code; modules with no calls at all are placeholders."""

    def build() -> list[ScoringSite]:
        out = []
        for path in code_files(index):
            f = facts(index, path)
            if f.calls:
                out += _sites_in(path, f) + _entry_sites(index, path, f)
                if not path.endswith(".ipynb"):
                    out += _serve_launch_sites(path, f)
        out += [ScoringSite(p, line, what) for p, line, what in online_model_sites(index) if what == "bandit ranker"]
        out += [
            ScoringSite(p, 1, "BentoML bentofile")
            for p in index.paths("bentofile.yaml", "**/bentofile.yaml", kinds=CODE)
        ]
        return out

    return memo(index, "scoring_sites", build)


@probe(
    "repo.scoring.present",
    summary="Version-controlled scoring code (score.py init/run, SageMaker handlers, "
    "BentoML/KServe/TorchServe/pyfunc models, web routes calling predict)",
    evidence=("file",),
    remediation="Keep the scoring code under version control (score.py with init/run, a serving handler, a "
    "pyfunc model or a web route calling predict).",
)
def scoring_present(views: Views) -> list[Finding]:
    index = repo_of(views)
    sites = scoring_sites(index)
    if not sites:
        return [miss(views, "repo.scoring.present", "no scoring entrypoint in the repo's code")]
    kinds = sorted({s.kind for s in sites})
    msg = f"{len({s.path for s in sites})} scoring files: {', '.join(kinds)}"
    return [
        hit(
            views,
            "repo.scoring.present",
            [loc(index, s.path, s.line) for s in sites],
            msg,
            confidence=confidence_for(s.path for s in sites),
            values={"kinds": kinds},
        )
    ]


SMOKE_NAME = re.compile(r"smoke|(^|_)e2e(_|$)|end_to_end", re.I)
SCORING_ENDPOINT = re.compile(r"scoring_uri|/score\b|/predict\b|:predict\b|/infer\b|/invocations\b")
HTTP_CALLS = words("""requests.post httpx.post urllib.request.urlopen aiohttp.ClientSession.post""")
PIPELINE_GLOBS = words("""**/*.yml **/*.yaml **/*.sh **/Makefile **/Jenkinsfile **/*.groovy""")


def smoke_tests(index: RepoIndex) -> list[tuple[str, int]]:
    """Post-deployment smoke tests: a smoke/e2e script that posts to the scoring endpoint and is run by a
    pipeline file (a CD stage calling `python -m ..smoke_test_scoring_service`)."""
    out = []
    pipeline_files = index.paths(*PIPELINE_GLOBS, kinds=("code", "test", "ci"))
    for path in index.python_files(notebooks=False, kinds=("code", "test")):
        stem = file_stem(path)
        if not SMOKE_NAME.search(stem):
            continue
        f = facts(index, path)
        posts = f.calls_to(*HTTP_CALLS) + method_calls(f, "post")
        if not posts or not SCORING_ENDPOINT.search(index.text(path) or ""):
            continue
        if index.grep(re.compile(re.escape(stem)), pipeline_files, limit=1):
            out.append((path, posts[0].line))
    return out


@probe(
    "repo.scoring.tested",
    summary="Real tests import the scoring module or call its entrypoint",
    evidence=("file",),
    remediation="Write tests that import the scoring module or call its entrypoint with sample requests, and "
    "run them in CI.",
)
def scoring_tested(views: Views) -> list[Finding]:
    index = repo_of(views)
    scoring = {s.path for s in scoring_sites(index)}
    if not scoring:
        return [miss(views, "repo.scoring.tested", "no scoring code to test")]
    real = sorted({t.path for t in all_tests(index) if t.real and t.lang == "python"})
    mods = module_map(index)
    reach = reaching(index, scoring)  # a test of the CLI or API that ends in the scoring code tests it too
    hits = []
    for path in real:
        f = facts(index, path)
        lines = [line for m, line in f.imports.items() if mods.get(m) in reach]
        if lines:
            hits.append(loc(index, path, min(lines)))
    smoke = smoke_tests(index)
    hits += [loc(index, p, line) for p, line in smoke]
    values = {"count": len(hits), "scoring_files": len(scoring), "smoke_tests": len(smoke)}
    if not hits:
        return [
            miss(
                views,
                "repo.scoring.tested",
                f"{len(scoring)} scoring files, but no real test imports them",
                values=values,
            )
        ]
    return [hit(views, "repo.scoring.tested", hits, f"{len(hits)} test files exercise the scoring code", values=values)]
