"""The tables behind command classification: which shell commands and which actions/orbs/tasks do
what. Patterns are searched in one shell command at a time (see `commands.py`); `uses` prefixes are
matched against the action/orb/task name, lower-cased and without its `@ref`."""

from __future__ import annotations

import re
from dataclasses import dataclass

TEST = "test"
INTEGRATION = "integration_test"
COVERAGE = "coverage"
COVERAGE_GATE = "coverage_gate"
TRAIN = "train"
EVALUATE = "evaluate"
REGISTER = "register"
LLM_EVAL = "llm_eval"
DEPLOY = "deploy"
DOCS = "docs"  # builds or publishes documentation sites (never a deploy)
BUILD = "build"
RELEASE = "release"
DATA_DEPLOY = "data_deploy"
SLIM_CI = "slim_ci"
DATA_QUALITY = "data_quality"
IAC_PLAN = "iac_plan"
IAC_APPLY = "iac_apply"
COST = "cost"
SECURITY = "security_scan"
POST_RESULTS = "post_results"
MODEL_FETCH = "model_fetch"
PR_CREATE = "pr_create"
DISPATCH = "dispatch"
MONITOR = "monitor"


@dataclass(frozen=True)
class Rule:
    category: str
    pattern: re.Pattern[str]
    target: str = ""
    model: bool = False  # the command deploys/serves a model specifically


def _r(category: str, pattern: str, target: str = "", model: bool = False) -> Rule:
    return Rule(category, re.compile(pattern, re.IGNORECASE), target, model)


PY = r"(?:python[\d.]*|py)\s+(?:-\w+\s+)*"
# Dagster+ (Dagster Cloud) deploys of code locations: the `dagster-cloud` CLI (also what the
# dagster-io/dagster-cloud-action steps run) and `dg plus deploy`.
DAGSTER_CLOUD_DEPLOY = (
    r"\bdagster-cloud\s+(?:ci\s+deploy|serverless\s+deploy[\w-]*|workspace\s+(?:add-location|update-location|sync))\b"
    r"|\bdg\s+plus\s+deploy\b"
)
COMMAND_RULES: tuple[Rule, ...] = (
    # tests
    _r(TEST, r"(?<![\w-])(?:py\.test|pytest)\b(?![-\w.])|(?:^|\s)-m\s+(?:pytest|unittest)\b"),
    _r(TEST, r"^(?:\S+/)?(?:tox|nox)(?:\s|$)|\b(?:uvx|pipx\s+run|hatch\s+run|poetry\s+run)\s+(?:tox|nox)\b"),
    _r(TEST, r"\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?test(?:[:\w-]*)\b|\b(?:npx\s+)?(?:jest|vitest|mocha)\b(?!\.)"),
    _r(TEST, r"\bmvnw?\b[^|;]*\s(?:test|verify)\b|\bgradlew?\b[^|;]*\s(?:test|check|integrationTest)\b"),
    _r(TEST, r"\bgo\s+test\b|\bdotnet\s+test\b|\bcargo\s+test\b|\b(?:rspec|phpunit|ctest)\b|\bhatch\s+test\b"),
    _r(TEST, r"\bmake\s+(?:-\S+\s+)*[\w-]*tests?\b|\bmake\s+(?:-\S+\s+)*check\b"),
    # task runners: rake/rails test tasks, Meltano's plugin tests and `meltano run <plugin>:test` jobs
    _r(TEST, r"\b(?:rake|rails)\s+(?:-\S+\s+)*(?:spec|test)(?::[\w:-]+)?(?:\s|$)"),
    _r(TEST, r"\bmeltano\s+test\b|\bmeltano\s+run\b[^|;]*\s[\w-]+:test(?:\s|$)"),
    # coverage
    _r(
        COVERAGE_GATE,
        r"--cov-fail-under[= ]+\d|\bcoverage\s+report\b[^|;]*--fail-under|--fail-under[= ]+\d"
        r"|--coverageThreshold|\bnyc\s+check-coverage\b",
    ),
    _r(COVERAGE, r"--cov\b|\bcoverage\s+(?:run|report|xml)\b|--coverage\b|\bgo\s+test\b[^|;]*-cover"),
    # model lifecycle (script names are handled in commands.py)
    _r(
        TRAIN,
        r"\bdvc\s+(?:repro|exp\s+run)\b|\bmlflow\s+run\b|\baz\s+ml\s+job\s+create\b|\bkedro\s+run\b"
        r"|\bzenml\s+pipeline\s+run\b|\baws\s+sagemaker\s+create-training-job\b|\bgcloud\s+ai\s+custom-jobs"
        r"\s+create\b|\bmake\s+(?:re)?train\b|\bpyflyte\s+run\b|\bludwig\s+train\b|\b\S*flow\S*\.py\s+run\b",
    ),
    _r(EVALUATE, r"\bmlflow\s+models?\s+evaluate\b|\bdvc\s+metrics\s+diff\b|\bmake\s+eval(?:uate)?\b"),
    _r(
        REGISTER,
        r"\baz\s+ml\s+model\s+(?:create|register)\b|\bgto\s+(?:register|assign|promote)\b"
        r"|\baws\s+sagemaker\s+create-model-package\b|\bgcloud\s+ai\s+models\s+upload\b",
    ),
    _r(
        LLM_EVAL,
        r"\bpromptfoo(?:@\S+)?\s+eval\b|\bdeepeval\s+test\s+run\b|\blm[_-]eval\b|\binspect\s+eval\b"
        r"|\boaieval\b",
    ),
    _r(
        MODEL_FETCH,
        r"\bmlflow\s+artifacts\s+download\b|models:/|\baz\s+ml\s+model\s+download\b"
        r"|\bdvc\s+(?:pull|get|import)\b|\bgto\s+(?:show|download)\b|\bhuggingface-cli\s+download\b",
    ),
    # deploys of models, then of apps and infrastructure
    _r(DEPLOY, r"\baz\s+ml\s+(?:online|batch)-(?:deployment|endpoint)\s+(?:create|update)\b", "azureml", True),
    _r(DEPLOY, r"\baws\s+sagemaker\s+(?:create|update)-endpoint\b|\bmlflow\s+sagemaker\s+deploy\b", "sagemaker", True),
    _r(DEPLOY, r"\bmlflow\s+deployments\s+(?:create|update)\b", "mlflow", True),
    _r(DEPLOY, r"\bgcloud\s+ai\s+endpoints\s+(?:deploy-model|create)\b", "vertexai", True),
    _r(
        DEPLOY,
        r"\bbentoml\s+(?:deploy|deployment\s+(?:create|apply|update))\b|\btruss\s+push\b",
        "model-platform",
        True,
    ),
    _r(
        DEPLOY,
        r"\bkubectl\b[^|;]*\s(?:apply|create|replace|set\s+image|rollout\s+restart)\b(?![^|;]*--dry-run)"
        r"|\bkubectl\s+argo\s+rollouts\s+(?:promote|set\s+image)\b",
        "kubernetes",
    ),
    _r(
        DEPLOY,
        r"\bhelm\s+(?:upgrade|install)\b(?![^|;]*--dry-run)|\bhelmfile\b[^|;]*\s(?:apply|sync)\b"
        r"|\bskaffold\s+(?:run|deploy)\b|\bargocd\s+app\s+(?:sync|set|create)\b",
        "kubernetes",
    ),
    _r(DEPLOY, r"\bdatabricks\s+bundle\s+deploy\b", "databricks"),
    _r(DEPLOY, DAGSTER_CLOUD_DEPLOY, "dagster"),
    # LangGraph Platform / LangSmith deployments of an agent (`langgraph deploy`, Managed Deep Agents' `mda deploy`)
    _r(DEPLOY, r"\blanggraph\s+deploy\b|\bmda\s+deploy\b", "langsmith"),
    _r(
        DEPLOY,
        r"\bterraform\s+(?:-\S+\s+)*apply\b|\bterragrunt\b[^|;]*\sapply\b|\btofu\s+(?:-\S+\s+)*apply\b|\bpulumi\s+up\b"
        r"|\bcdk\s+deploy\b",
        "terraform",
    ),
    _r(
        DEPLOY,
        r"\baz\s+(?:webapp\s+(?:up|deploy|deployment|config\s+container\s+set)|containerapp\s+(?:up|update"
        r"|create)|functionapp\s+deployment|deployment\s+(?:group|sub|mg)\s+create)\b"
        r"|\bfunc\s+azure\s+functionapp\s+publish\b|\bazd\s+(?:up|deploy)\b",
        "azure",
    ),
    _r(
        DEPLOY,
        r"\baws\s+(?:ecs\s+(?:update-service|deploy|register-task-definition)|lambda\s+update-function-code|cloudformation\s+(?:deploy"
        r"|create-stack|update-stack))\b|\b(?:serverless|sls|sam|copilot|eb)\s+deploy\b"
        r"|\baws\s+codepipeline\s+start-pipeline-execution\b|\baws\s+deploy\s+create-deployment\b"
        r"|\baws\s+apprunner\s+(?:start-deployment|update-service)\b|\baws\s+lambda\s+update-alias\b",
        "aws",
    ),
    _r(DEPLOY, r"\bgcloud\s+(?:run\s+(?:deploy|services\s+update)|app\s+deploy|functions\s+deploy)\b", "gcp"),
    _r(
        DEPLOY,
        r"\b(?:fly|flyctl)\s+deploy\b|\bvercel\b[^|;]*(?:--prod|\sdeploy)\b|\bnetlify\s+deploy\b"
        r"|\bheroku\s+container:release\b|\bgit\s+push\s+heroku\b|\brailway\s+up\b|\bmodal\s+deploy\b"
        r"|\bdocker\s+stack\s+deploy\b",
        "paas",
    ),
    _r(
        DEPLOY,
        r"(?:^|[\s/])(?:\./)?[\w/.-]*deploy[\w-]*\.(?:sh|ps1)\b|\bmake\s+deploy[\w-]*\b"
        r"|\bansible-playbook\b[^|;]*deploy",
        "script",
    ),
    _r(
        DOCS,
        r"\bmkdocs\s+(?:gh-deploy|build)\b|\bmike\s+deploy\b|\bghp-import\b|\bgh-pages\s+-d\b|\bsphinx-build\b"
        r"|\bjupyter-book\s+build\b|\bdocusaurus\s+(?:build|deploy)\b|\bquarto\s+publish\s+gh-pages\b"
        r"|\bmake\s+(?:-C\s+docs\s+)?html\b|\b(?:npm|yarn|pnpm)\s+run\s+docs",
    ),
    # builds and releases
    _r(
        BUILD,
        r"\b(?:docker|podman)\s+(?:build|buildx\s+build|image\s+build|push|compose\s+build)\b|\bbuildah\b"
        r"|/kaniko/executor|\baz\s+acr\s+build\b|\bgcloud\s+builds\s+submit\b|\bko\s+(?:build|publish)\b"
        r"|\bpack\s+build\b|\bbentoml\s+(?:build|containerize)\b|\bmlflow\s+models\s+build-docker\b"
        r"|\blanggraph\s+build\b"
        # Mozilla's taskboot (Taskcluster): builds and pushes images, publishes packages
        r"|\btaskboot\s+(?:build|build-compose|push-artifacts?|deploy-pypi)\b",
    ),
    _r(
        BUILD,
        r"\bpython[\d.]*\s+-m\s+build\b|\bsetup\.py\s+(?:sdist|bdist_wheel)\b|\b(?:poetry|hatch|uv|flit|pdm)"
        r"\s+build\b|\btwine\s+upload\b|\b(?:poetry|flit|npm|yarn|pnpm|cargo)\s+publish\b|\bmvnw?\b[^|;]*"
        r"\s(?:deploy|package)\b|\bgradlew?\b[^|;]*\s(?:publish|assemble|bootJar)\b|\bdotnet\s+(?:pack|publish)"
        r"\b|\bconda\s+(?:build|mambabuild)\b|\bjfrog\s+rt\s+u(?:pload)?\b",
    ),
    _r(
        RELEASE,
        r"\bsemantic-release\b|\brelease-please\b|\bchangeset\s+(?:version|publish)\b|\bgoreleaser\b"
        r"|\bgh\s+release\s+create\b|\bcz\s+bump\b|\bbump(?:2version|version|-my-version)\b"
        r"|\bstandard-version\b|\brelease-it\b|\blerna\s+(?:publish|version)\b",
    ),
    # data
    _r(
        DATA_DEPLOY,
        r"\bdbt\s+(?:build|run|seed|snapshot)\b|\bsqlmesh\s+(?:plan\b[^|;]*--auto-apply|run\b)"
        r"|\bdatabricks\s+bundle\s+deploy\b",
    ),
    # Dagster+ code locations: the orchestrated data pipelines themselves
    _r(DATA_DEPLOY, DAGSTER_CLOUD_DEPLOY),
    # a dbt Cloud job started from CI (API call or CLI): the job builds the models in its environment
    _r(DATA_DEPLOY, r"cloud\.getdbt\.com/api/v\d/accounts/\S*/jobs/\S*/run\b|\bdbt-cloud\s+job\s+run\b"),
    # dbt run through Meltano: `meltano run dbt-snowflake:run dbt-snowflake:test`, `meltano invoke dbt-x test`
    _r(DATA_DEPLOY, r"\bmeltano\s+(?:run|invoke)\b[^|;]*\bdbt[\w-]*[:\s]+(?:build|run|seed|snapshot)(?:\s|$)"),
    _r(SLIM_CI, r"\bdbt\b[^|;]*(?:--defer\b|--state\b|state:modified)"),
    _r(DATA_QUALITY, r"\bmeltano\s+(?:run|invoke)\b[^|;]*\bdbt[\w-]*[:\s]+(?:test|build)(?:\s|$)"),
    _r(
        DATA_QUALITY,
        r"\bdbt\s+(?:test|build|source\s+freshness)\b|\bsoda\s+scan\b|\b(?:great_expectations|gx)\b"
        r"[^|;]*\bcheckpoint\s+run\b|\bdatacontract\s+test\b",
    ),
    # infrastructure
    _r(
        IAC_PLAN,
        r"\bterraform\s+(?:-\S+\s+)*plan\b|\bterragrunt\b[^|;]*\splan\b|\btofu\s+(?:-\S+\s+)*plan\b",
        "terraform",
    ),
    _r(IAC_PLAN, r"\bpulumi\s+preview\b", "pulumi"),
    _r(IAC_PLAN, r"\baz\s+deployment\b[^|;]*(?:what-if|--what-if)\b", "arm"),
    _r(IAC_PLAN, r"\bcdk\s+diff\b", "cdk"),
    _r(IAC_PLAN, r"\bhelm\s+diff\b", "helm"),
    _r(
        IAC_APPLY,
        r"\bterraform\s+(?:-\S+\s+)*apply\b|\bterragrunt\b[^|;]*\sapply\b|\btofu\s+(?:-\S+\s+)*apply\b",
        "terraform",
    ),
    _r(IAC_APPLY, r"\bpulumi\s+up\b", "pulumi"),
    _r(IAC_APPLY, r"\baz\s+deployment\s+(?:group|sub|mg|tenant)\s+create\b(?![^|;]*what-if)", "arm"),
    _r(IAC_APPLY, r"\bcdk\s+deploy\b", "cdk"),
    _r(IAC_APPLY, r"\bhelm\s+(?:upgrade|install)\b(?![^|;]*--dry-run)|\bhelmfile\b[^|;]*\s(?:apply|sync)\b", "helm"),
    _r(COST, r"\binfracost\s+(?:breakdown|diff|comment|upload)\b"),
    # security scans of models, code and supply chain
    _r(
        SECURITY,
        r"\bmodelscan\b|\bpicklescan\b|\bmodelaudit\b|\bpromptfoo(?:@\S+)?\s+scan-model\b|\bfickling\b",
        "model",
    ),
    _r(SECURITY, r"\bpromptfoo(?:@\S+)?\s+redteam\b|\bgarak\b|\bpyrit\b", "llm_redteam"),
    _r(SECURITY, r"\bbandit\b(?!\.)", "code"),
    _r(SECURITY, r"\bsyft\b|\bcyclonedx(?:-py|-bom)?\b", "sbom"),
    # feedback and automation
    _r(
        POST_RESULTS,
        r"\bgh\s+pr\s+(?:comment|review)\b|\bgh\s+api\b[^|;]*/comments\b|\bcml\s+(?:comment\s+(?:create"
        r"|update)|send-comment)\b|\bcreateComment\b|\bpulls\.createReview\b",
    ),
    _r(PR_CREATE, r"\bgh\s+pr\s+create\b|\bkustomize\s+edit\s+set\s+image\b"),
    _r(DISPATCH, r"\bgh\s+workflow\s+run\b|\bgh\s+api\b[^|;]*/dispatches\b|/dispatches\b"),
    _r(MONITOR, r"\bevidently\b|\bnannyml\b|\bwhylogs\b|\baz\s+ml\s+schedule\s+create\b[^|;]*monitor"),
)

# Inputs of actions/tasks that hold shell text to classify like a `run:` script.
SCRIPT_INPUTS = ("inlineScript", "inline-script", "script", "run", "command", "commands", "dbt_command")
