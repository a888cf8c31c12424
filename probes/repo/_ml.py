"""Shared detection helpers for the ML-lifecycle repo probes (ml_*, serving_*, tests_*).

Everything here is a pure function of the RepoIndex. Results that several probes need (training
files, the local module map) are memoised per index, so each repo is analysed once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from scanner.facts.paths import file_stem, path_parts
from scanner.facts.python_facts import Call, PyFacts, under_module
from scanner.facts.repo_index import Match, RepoIndex
from scanner.model import Location
from scanner.views import Views

T = TypeVar("T")


def words(text: str) -> tuple[str, ...]:
    """A tuple from whitespace-separated names (keeps long name lists compact)."""
    return tuple(text.split())


# Modules whose use means "this code does ML" (not LLM API clients, not tracking-only).
ML_FRAMEWORKS = words(
    """sklearn torch tensorflow keras xgboost lightgbm catboost transformers statsmodels jax flax
    pytorch_lightning lightning fastai prophet autogluon pycaret h2o flaml sktime darts pyspark.ml
    sentence_transformers setfit trl peft ultralytics timm onnxruntime mlflow.pyfunc sagemaker
    azure.ai.ml azureml google.cloud.aiplatform bentoml"""
)
# Framework names that score or encode labels but never feed a model: LLM evaluation code computes F1 with
# sklearn.metrics and a label binarizer without doing ML (a feature scaler does feed one, so it is not here).
ML_HELPERS = words(
    """sklearn.metrics sklearn.utils sklearn.preprocessing.LabelEncoder sklearn.preprocessing.LabelBinarizer
    sklearn.preprocessing.MultiLabelBinarizer"""
)
# Label and category encoders: their `.fit` learns a vocabulary of labels, not a model.
ENCODERS = words("""LabelEncoder LabelBinarizer MultiLabelBinarizer OneHotEncoder OrdinalEncoder""")
TRACKING_LIBS = ("mlflow", "wandb", "neptune", "comet_ml", "clearml", "dvclive", "aim")
FIT_METHODS = ("fit", "fit_generator", "partial_fit", "fit_one_cycle", "fine_tune", "train_model")
TRAIN_METHOD_LIBS = ("transformers", "trl", "setfit", "sentence_transformers", "spacy", "ultralytics", "gensim")
DIRECT_TRAIN_CALLS = words(
    """xgboost.train lightgbm.train catboost.train AutoMLConfig H2OAutoML flaml.AutoML TabularPredictor
    AutoMLTabularTrainingJob azure.ai.ml.automl.classification azure.ai.ml.automl.regression
    azure.ai.ml.automl.forecasting Trainer().train SFTTrainer().train"""
)
# Managed training on ML platforms: submitting a job is scripted training (SageMaker boto3 and Step Functions,
# Azure ML v1 experiments and v2 jobs, Vertex AI custom jobs, TFX trainers).
PLATFORM_TRAIN_IMPORTS = words("""boto3 stepfunctions azureml azure.ai.ml google.cloud.aiplatform tfx sagemaker""")
PLATFORM_TRAIN_METHODS = words(
    """create_training_job create_hyper_parameter_tuning_job create_auto_ml_job create_auto_ml_job_v2"""
)
PLATFORM_TRAIN_CALLS = words(
    """stepfunctions.steps.TrainingStep stepfunctions.steps.sagemaker.TrainingStep
    sagemaker.workflow.steps.TrainingStep azureml.core.Experiment.submit azureml.core.ScriptRunConfig
    azureml.train.estimator.Estimator azure.ai.ml.command google.cloud.aiplatform.CustomTrainingJob
    google.cloud.aiplatform.CustomJob google.cloud.aiplatform.CustomContainerTrainingJob
    google.cloud.aiplatform.HyperparameterTuningJob tfx.components.Trainer tfx.v1.components.Trainer"""
)
LAUNCHER_NAME = re.compile(r"^(run_(command|cmd)\w{0,30}|launch\w{0,20})$")
TRAIN_FILE_NAME = re.compile(r"(^|[/_-])(train|training|fit|finetune|fine_tune)[\w-]*\.(py|ipynb)$", re.I)
# `{{ name }}` template variables; not f-string escapes such as f"{{{key}}}" (a literal brace around a field).
PLACEHOLDER = re.compile(r"\{\{\s*cookiecutter\.|(?<!\{)\{\{\s*[a-z_]+\s*\}\}(?!\})|<YOUR_[A-Z_]+>", re.I)
MODEL_SUFFIXES = words(
    """.pkl .pickle .joblib .h5 .keras .onnx .pt .pth .safetensors .ckpt .tflite .gguf .mar .cbm .mlmodel"""
)
AMBIGUOUS_MODEL_SUFFIXES = (".bin", ".pb")  # only with a model-like path (weights, saved_model.pb, ...)
MODEL_WORDS = re.compile(r"model|checkpoint|weights|ckpt", re.I)
PREDICT_METHODS = ("predict", "predict_proba", "predict_on_batch", "decision_function")
ROUTE_DECORATORS = ("post", "get", "put", "route", "api_route", "websocket")
RETRAIN_CONTEXT = re.compile(r"retrain|re-train|drift|degrad|decay|model[_ ]?stale", re.I)

CODE = ("code",)  # path kind of the organisation's own non-test code


def memo(index: RepoIndex, key: str, build: Callable[[], T]) -> T:
    """Compute once per index (probes stay pure: this only caches their own derived facts)."""
    return index.derived("ml:" + key, build)


def repo_of(views: Views) -> RepoIndex:
    if views.repo is None:  # the runner reports not_available before calling; be explicit anyway
        raise ValueError("the repo view is missing")
    return views.repo


def is_notebook(path: str) -> bool:
    return path.endswith(".ipynb")


def confidence_for(paths: Iterable[str], base: str = "medium") -> str:
    """Notebook-only evidence weighs lower than modules."""
    return base if any(not is_notebook(p) for p in paths) else "low"


def placeholder(index: RepoIndex, path: str) -> bool:
    text = index.text(path) or ""
    return bool(PLACEHOLDER.search(text))


def code_files(index: RepoIndex, *, tests: bool = False, notebooks: bool = True) -> list[str]:
    """Parsed Python practice files: code (and tests when asked), minus cookiecutter placeholders."""

    def build() -> list[str]:
        out = []
        for path in index.python_files(notebooks=notebooks):
            if not tests and index.kind(path) != "code":
                continue
            facts = index.python(path)
            if facts is None or facts.error or placeholder(index, path):
                continue
            out.append(path)
        return out

    return list(memo(index, f"code_files:{tests}:{notebooks}", build))


def facts(index: RepoIndex, path: str) -> PyFacts:
    return index.python(path) or PyFacts()


def method_calls(f: PyFacts, *methods: str) -> list[Call]:
    """Calls of `x.method(...)` on any object (the last segment of the resolved name)."""
    return [c for c in f.calls_named(*methods) if "." in c.name]


def uses_ml(f: PyFacts) -> bool:
    """The file imports an ML framework beyond its helpers (ML_HELPERS)."""
    if f.imported(*ML_FRAMEWORKS) is None:
        return False
    mods = [m for m in f.imports if under_any(m, ML_FRAMEWORKS)]
    # a parent recorded for a deeper import (`sklearn` for `sklearn.metrics`) is not imported for itself
    return any(not under_any(m, ML_HELPERS) and not any(o.startswith(m + ".") for o in mods) for m in mods)


def under_any(name: str, modules: Iterable[str]) -> bool:
    return any(under_module(name, m) for m in modules)


def predict_calls(f: PyFacts) -> list[Call]:
    return method_calls(f, *PREDICT_METHODS)


def route_decorators(f: PyFacts) -> list[tuple[str, int]]:
    """Web route decorators (`@app.post(...)`, `@router.get`, `@bp.route`) in files importing a web framework."""
    if f.imported("fastapi", "flask", "starlette", "litestar", "quart", "sanic", "aiohttp") is None:
        return []
    return [(n, line) for n, line in f.decorators if "." in n and n.rsplit(".", 1)[-1] in ROUTE_DECORATORS]


# inference ------------------------------------------------------------------------------------
# Domain-named inference methods count only on a model-like receiver (`model.encode`, `self.ranker.rank`)
# in a file that uses an ML framework or loads a model: `text.encode()` and `json_encoder.encode()` do not.
INFERENCE_METHODS = words(
    """encode embed embed_query embed_documents rerank classify transcribe detect segment forecast
    recommend rank infer predict_step generate"""
)
MODEL_RECEIVER = re.compile(
    r"(^|[._])(\w{0,30}_)?(model|classifier|clf|estimator|regressor|predictor|ranker|reranker"
    r"|detector|forecaster|recommender|embedder|tagger|segmenter|pipe|net)s?$",
    re.I,
)
MODEL_LOADS = words(
    """joblib.load pickle.load torch.load torch.jit.load load_model from_pretrained onnxruntime.InferenceSession
    SentenceTransformer CrossEncoder mlflow.pyfunc.load_model xgboost.Booster lightgbm.Booster"""
)
INFERENCE_CLIENT_METHODS = ("invoke_endpoint", "invoke_endpoint_async", "invoke_endpoint_with_response_stream")
INFER_URL = re.compile(r"/v[12]/models/[\w.{}-]{1,100}(/versions/[\w.{}-]{1,50})?(:predict|:classify|/infer)\b")
INFERENCE_NAME = re.compile(r"predict|inference|infer_|probabilit|scor(e|ing)|forecast|classif|recommend", re.I)


def loads_model(f: PyFacts) -> bool:
    return bool(f.calls_to(*MODEL_LOADS))


def inference_calls(f: PyFacts) -> list[Call]:
    """Calls that run a model: `.predict(`, domain-named methods on a model-like receiver (with an ML
    framework or a model load in the file), inference-server clients (SageMaker `invoke_endpoint`,
    Triton `infer`, KServe v2 / TF-Serving REST URLs)."""
    out = predict_calls(f)
    if uses_ml(f) or loads_model(f):
        out += [
            c
            for c in method_calls(f, *INFERENCE_METHODS)
            if MODEL_RECEIVER.search(c.name.rsplit(".", 1)[0].removesuffix("()"))
        ]
    out += method_calls(f, *INFERENCE_CLIENT_METHODS)
    if f.imported("tritonclient") is not None:
        out += method_calls(f, "infer", "async_infer")
    urls = {line for line, s in f.strings if INFER_URL.search(s)}
    out += [c for c in f.calls if c.line in urls]
    return sorted(set(out), key=lambda c: c.line)


def _local_target(index: RepoIndex, name: str) -> str | None:
    """The repo file a resolved call name points into (`pkg.helper.fn` -> pkg/helper.py), if any."""
    mods = module_map(index)
    parts = name.replace("()", "").split(".")
    for i in range(len(parts) - 1, 0, -1):
        target = mods.get(".".join(parts[:i]))
        if target:
            return target
    return None


def model_call_path(index: RepoIndex, path: str, depth: int = 2) -> list[str]:
    """A small call graph: [path] when the file itself runs a model, else [path, module, ...] following calls
    into the repo's own modules (up to `depth` hops) to one that runs a model; [] when none does. A local
    function named like inference (`risk_probability`, `predict_batch`) counts in a module using ML."""
    seen: set[str] = set()

    def walk(p: str, left: int) -> list[str]:
        if p in seen:
            return []
        seen.add(p)
        f = facts(index, p)
        if inference_calls(f):
            return [p]
        if left == 0:
            return []
        for c in f.calls:
            target = _local_target(index, c.name)
            if target is None or target == p:
                continue
            tf = facts(index, target)
            if INFERENCE_NAME.search(c.name.rsplit(".", 1)[-1]) and (uses_ml(tf) or loads_model(tf)):
                return [p, target]
            rest = walk(target, left - 1)
            if rest:
                return [p, *rest]
        return []

    return memo(index, f"model_call_path:{path}:{depth}", lambda: walk(path, depth))


def local_deps(index: RepoIndex, path: str) -> set[str]:
    """Repo files a file depends on: its absolute imports plus the targets of its calls (relative imports
    resolve through call names)."""

    def build() -> set[str]:
        f = facts(index, path)
        out = local_imports(index, f)
        out |= {t for c in f.calls if (t := _local_target(index, c.name))}
        out.discard(path)
        return out

    return memo(index, f"local_deps:{path}", build)


def reaching(index: RepoIndex, targets: set[str], hops: int = 2) -> set[str]:
    """Files of the organisation's code that reach one of `targets` in at most `hops` dependency steps,
    the targets included."""
    found = set(targets)
    frontier = set(targets)
    files = code_files(index, notebooks=False)
    for _ in range(hops):
        frontier = {p for p in files if p not in found and local_deps(index, p) & frontier}
        if not frontier:
            break
        found |= frontier
    return found


def route_calls(f: PyFacts) -> list[Call]:
    """Route decorators, including custom ones: any decorator call named like a route (`@api.post`,
    `@bp.route`) whose first literal argument is a URL path."""
    lines = {line for _, line in route_decorators(f)}
    names = {(n, line) for n, line in f.decorators if n.rsplit(".", 1)[-1] in ROUTE_DECORATORS}
    out = []
    for c in f.calls:
        if (c.name, c.line) not in names:
            continue
        if c.line in lines or (c.str_args and c.str_args[0].startswith("/")):
            out.append(c)
    return out


# training -------------------------------------------------------------------------------------
def training_calls(path: str, f: PyFacts) -> list[Call]:
    """Calls that fit a model: `.fit(` with an ML framework (or in a train* file), `trainer.train()`,
    `xgb.train(`, AutoML jobs, or a torch loop (`loss.backward()` + `optimizer.step()`)."""
    ml = uses_ml(f)
    train_named = bool(TRAIN_FILE_NAME.search(path)) or "/training/" in f"/{path}"
    platform = f.imported(*PLATFORM_TRAIN_IMPORTS) is not None
    if not (ml or train_named or platform or f.imported(*TRAIN_METHOD_LIBS) is not None):
        return []
    out = f.calls_to(*DIRECT_TRAIN_CALLS)
    if ml or train_named:
        out += [c for c in method_calls(f, *FIT_METHODS) if not encoder_fit(f, c)]
    if f.imported(*TRAIN_METHOD_LIBS) is not None:
        out += method_calls(f, "train")
    if f.imported("torch") is not None and method_calls(f, "backward"):
        out += [c for c in method_calls(f, "step") if "optim" in c.name.lower()]
    if ml or platform:
        out += method_calls(f, *PLATFORM_TRAIN_METHODS) + f.calls_to(*PLATFORM_TRAIN_CALLS)
        if f.imported("azureml.core", "azureml.pipeline") is not None and not INFERENCE_NAME.search(path):
            out += method_calls(f, "submit")
    if train_named and not out:
        out += launcher_calls(f)
    return sorted(set(out), key=lambda c: c.line)


def encoder_fit(f: PyFacts, call: Call) -> bool:
    """`.fit` on a label encoder (`MultiLabelBinarizer().fit(...)`, or a name every assignment in the file
    builds from one): learning the label set is not training. Feature scalers are not encoders: they feed
    a model."""
    receiver = call.name.rsplit(".", 1)[0]
    if receiver.endswith("()"):
        return _is_encoder(receiver[:-2])
    built = [callee for name, callee in f.bindings if name == receiver]
    return bool(built) and all(_is_encoder(callee) for callee in built)


def _is_encoder(callee: str) -> bool:
    return callee.startswith("sklearn.") and callee.rsplit(".", 1)[-1] in ENCODERS


def launcher_calls(f: PyFacts) -> list[Call]:
    """A train-named script that launches a training program (a compiled trainer such as Marian, torchrun,
    accelerate, deepspeed) through subprocess or the repo's own command runner."""
    calls = f.calls_to(*(f"subprocess.{n}" for n in ("run", "Popen", "call", "check_call", "check_output")))
    calls += f.calls_to("os.system", "os.execvp", "os.execv")
    calls += [c for c in f.calls if LAUNCHER_NAME.search(c.name.rsplit(".", 1)[-1])]
    return calls


@dataclass(frozen=True)
class TrainingFile:
    path: str
    line: int
    call: str
    launcher: bool = False  # only launches or submits training elsewhere (subprocess, platform job)

    @property
    def notebook(self) -> bool:
        return is_notebook(self.path)


def training_files(index: RepoIndex) -> list[TrainingFile]:
    """Training entrypoints in the organisation's own code (tests excluded), one per file."""

    def build() -> list[TrainingFile]:
        out = []
        for path in code_files(index):
            f = facts(index, path)
            calls = training_calls(path, f)
            if calls:
                launches = set(launcher_calls(f)) | set(f.calls_to(*PLATFORM_TRAIN_CALLS))
                launches |= set(method_calls(f, *PLATFORM_TRAIN_METHODS, "submit"))
                launcher = all(c in launches for c in calls)
                out.append(TrainingFile(path, calls[0].line, calls[0].name, launcher))
        return out

    return memo(index, "training_files", build)


# local modules ---------------------------------------------------------------------------------
def module_names(path: str) -> list[str]:
    """Dotted names a repo file can be imported as: every tail of its path, since the import root (src/,
    a service folder, the script's own folder) is not known statically. `svc/pkg/a.py` -> svc.pkg.a, pkg.a, a."""
    parts = [*path_parts(path)[:-1], file_stem(path)]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return [".".join(parts[i:]) for i in range(len(parts))]


def module_map(index: RepoIndex) -> dict[str, str]:
    def build() -> dict[str, str]:
        out: dict[str, str] = {}
        for path in index.python_files(notebooks=False, kinds=("code",)):
            for name in module_names(path):
                out.setdefault(name, path)
        return out

    return memo(index, "module_map", build)


def local_imports(index: RepoIndex, f: PyFacts) -> set[str]:
    """Repo files that `f` imports (resolved through the local module map)."""
    mods = module_map(index)
    return {mods[m] for m in f.imports if m in mods}


def snippet(index: RepoIndex, path: str, line: int | None) -> str | None:
    if not line or is_notebook(path):
        return None
    lines = (index.text(path) or "").splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else None


def grep_sources(index: RepoIndex, pattern: re.Pattern[str], paths: Iterable[str]) -> list[Match]:
    """Like RepoIndex.grep, but a notebook is searched in its code cells (magics as `# !cmd` lines), so that
    locations map to cells."""
    out = []
    for path in paths:
        code = index.notebook(path) if is_notebook(path) else None
        text = code.source if code is not None else index.text(path) or ""
        for m in pattern.finditer(text):
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            out.append(
                Match(path, text.count("\n", 0, m.start()) + 1, text[start : end if end != -1 else None].strip())
            )
    return out


def loc(index: RepoIndex, path: str, line: int | None = None) -> Location:
    return index.location(path, line, snippet(index, path, line))


# retrain triggers (shared with the CI probes: ci.retrain_on_metric_trigger needs the sending side) ----
DISPATCH_METHODS = words(
    """create_repository_dispatch create_dispatch create_dispatch_event createDispatchEvent
    createWorkflowDispatch"""
)
DISPATCH_TEXT = re.compile(  # shell, YAML, JS: text formats
    r"gh\s+workflow\s+run\b|gh\s+api\s+\S*/dispatches|/dispatches\b|peter-evans/repository-dispatch"
    r"|createDispatchEvent|createWorkflowDispatch"
)
DISPATCH_URL = re.compile(r"(https?://\S*|^/?repos/\S*)/dispatches\b")  # Python string literals
GH_CLI = re.compile(r"gh\s+(workflow\s+run\b|api\s+\S*/dispatches)")  # os.system("gh workflow run ...")
GH_ARGV = re.compile(r"['\"]gh['\"]\s*,\s*['\"]workflow['\"]\s*,\s*['\"]run['\"]")  # subprocess.run(["gh", ...])
SCRIPT_GLOBS = words(
    """**/*.sh **/*.bash **/*.ps1 **/*.yml **/*.yaml **/Makefile **/*.js **/*.ts **/*.mjs **/Jenkinsfile
    **/Dockerfile*"""
)


@dataclass(frozen=True)
class TriggerSender:
    path: str
    line: int
    mechanism: str  # "api" (REST/SDK dispatch) or "cli" (gh workflow run / gh api)
    retrain: bool  # the sending file names a retrain/drift/degradation context


def retrain_trigger_senders(index: RepoIndex) -> list[TriggerSender]:
    """Code that starts a workflow: `repository_dispatch`/`workflow_dispatch` REST calls, PyGithub/octokit
    dispatch methods, `gh workflow run`, the repository-dispatch action. Tests and examples excluded.
    `retrain` tells whether the file is about retraining or drift (what ci.retrain_on_metric_trigger wants)."""

    def build() -> list[TriggerSender]:
        hits: dict[tuple[str, int], str] = {}
        for path in code_files(index):
            f = facts(index, path)
            for call in method_calls(f, *DISPATCH_METHODS):
                hits.setdefault((path, call.line), "api")
            for line, value in f.strings:
                if DISPATCH_URL.search(value):
                    hits.setdefault((path, line), "api")
            for call in f.calls:
                if any(GH_CLI.match(s) for s in call.str_args):
                    hits.setdefault((path, call.line), "cli")
        for m in grep_sources(index, GH_ARGV, code_files(index)):
            hits.setdefault((m.path, m.line), "cli")
        for m in index.grep(DISPATCH_TEXT, index.paths(*SCRIPT_GLOBS, kinds=CODE)):
            hits.setdefault((m.path, m.line), "cli" if "gh" in m.text else "api")
        out = []
        for (path, line), mechanism in sorted(hits.items()):
            context = bool(RETRAIN_CONTEXT.search(index.text(path) or ""))
            out.append(TriggerSender(path, line, mechanism, context))
        return out

    return memo(index, "retrain_trigger_senders", build)
