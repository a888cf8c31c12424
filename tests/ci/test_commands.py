"""Command classification: what a step does, positive and negative rows, and silent failures."""

from __future__ import annotations

import pytest

from scanner.facts.ci import commands as cmd
from scanner.facts.ci.commands import classify, commands, gate_hits, python_targets
from tests.ci._support import step

# (run, uses, inputs, categories that must be found, categories that must not be found)
ROWS: list[tuple[str, str, dict[str, str], set[str], set[str]]] = [
    ("pytest -q", "", {}, {cmd.TEST}, {cmd.INTEGRATION}),
    ("python -m pytest tests/integration", "", {}, {cmd.TEST, cmd.INTEGRATION}, set()),
    ("poetry run pytest -m 'integration and not slow'", "", {}, {cmd.INTEGRATION}, set()),
    ("python -m unittest discover", "", {}, {cmd.TEST}, set()),
    ("pytest -m 'not integration' --cov=src", "", {}, {cmd.TEST}, {cmd.INTEGRATION}),
    ("pytest --collect-only -q", "", {}, set(), {cmd.TEST}),
    ("tox -e py311", "", {}, {cmd.TEST}, set()),
    ("npm run test:unit", "", {}, {cmd.TEST}, set()),
    ("yarn test --ci", "", {}, {cmd.TEST}, set()),
    ("npx vitest run", "", {}, {cmd.TEST}, set()),
    ("./mvnw -B verify", "", {}, {cmd.TEST}, set()),
    ("./gradlew integrationTest", "", {}, {cmd.TEST, cmd.INTEGRATION}, set()),
    ("go test ./... -cover", "", {}, {cmd.TEST, cmd.COVERAGE}, set()),
    ("dotnet test", "", {}, {cmd.TEST}, set()),
    ("make test-unit", "", {}, {cmd.TEST}, set()),
    ("pip install pytest pytest-cov", "", {}, set(), {cmd.TEST}),
    ("echo 'run pytest next'", "", {}, set(), {cmd.TEST}),
    ("cat pytest.ini", "", {}, set(), {cmd.TEST}),
    ("pytest --cov=src --cov-fail-under=85", "", {}, {cmd.TEST, cmd.COVERAGE_GATE}, set()),
    ("coverage report --fail-under=90", "", {}, {cmd.COVERAGE_GATE}, set()),
    ("python src/train.py --epochs 3", "", {}, {cmd.TRAIN}, {cmd.EVALUATE}),
    ("python -m pipelines.training.train_model", "", {}, {cmd.TRAIN}, set()),
    ("accelerate launch finetune.py", "", {}, {cmd.TRAIN}, set()),
    ("python main.py train --config c.yaml", "", {}, {cmd.TRAIN}, set()),
    ("pytest tests/test_train.py", "", {}, {cmd.TEST}, {cmd.TRAIN}),
    ("dvc repro", "", {}, {cmd.TRAIN}, set()),
    ("job_id=$(az ml job create -f job.yaml --query name -o tsv)", "", {}, {cmd.TRAIN}, set()),
    ("az ml job create -f jobs/train.yml", "", {}, {cmd.TRAIN}, set()),
    ("kedro run --pipeline training", "", {}, {cmd.TRAIN}, set()),
    ("python scripts/evaluate_model.py --threshold 0.8", "", {}, {cmd.EVALUATE}, {cmd.TRAIN}),
    ("python compare_models.py", "", {}, {cmd.EVALUATE}, set()),
    ("python register_model.py", "", {}, {cmd.REGISTER}, set()),
    ("npx promptfoo@latest eval -c promptfooconfig.yaml", "", {}, {cmd.LLM_EVAL}, set()),
    ("deepeval test run tests/test_rag.py", "", {}, {cmd.LLM_EVAL}, {cmd.TEST}),
    ("", "promptfoo/promptfoo-action@v1", {}, {cmd.LLM_EVAL, cmd.POST_RESULTS}, set()),
    ("az ml online-deployment create -f blue.yml --all-traffic", "", {}, {cmd.DEPLOY}, set()),
    ("kubectl apply -f k8s/", "", {}, {cmd.DEPLOY}, set()),
    ("kubectl apply --dry-run=client -f k8s/", "", {}, set(), {cmd.DEPLOY}),
    ("helm upgrade --install api ./chart -f values-prod.yaml", "", {}, {cmd.DEPLOY, cmd.IAC_APPLY}, set()),
    ("aws sagemaker update-endpoint --endpoint-name churn", "", {}, {cmd.DEPLOY}, set()),
    ("gcloud run deploy api --image $IMAGE", "", {}, {cmd.DEPLOY}, set()),
    ("databricks bundle deploy -t prod", "", {}, {cmd.DEPLOY, cmd.DATA_DEPLOY}, set()),
    ("mkdocs gh-deploy --force", "", {}, {cmd.DOCS}, {cmd.DEPLOY}),
    ("./scripts/deploy_docs.sh", "", {}, {cmd.DOCS}, {cmd.DEPLOY}),
    ("", "peaceiris/actions-gh-pages@v4", {}, {cmd.DOCS}, {cmd.DEPLOY}),
    ("", "azure/webapps-deploy@v3", {"app-name": "api"}, {cmd.DEPLOY}, set()),
    ("", "AzureCLI@2", {"inlineScript": "az ml online-endpoint update -n x --traffic blue=100"}, {cmd.DEPLOY}, set()),
    ("", "TerraformTaskV4@4", {"command": "apply"}, {cmd.IAC_APPLY}, {cmd.IAC_PLAN}),
    ("", "aws-actions/amazon-ecs-deploy-task-definition@v2", {}, {cmd.DEPLOY}, set()),
    ("docker build -t app . && docker push app", "", {}, {cmd.BUILD}, {cmd.DEPLOY}),
    ("", "docker/build-push-action@v6", {}, {cmd.BUILD}, set()),
    ("python -m build && twine upload dist/*", "", {}, {cmd.BUILD}, set()),
    ("mvn deploy -DskipTests", "", {}, {cmd.BUILD}, {cmd.DEPLOY}),
    ("npx semantic-release", "", {}, {cmd.RELEASE}, set()),
    ("", "googleapis/release-please-action@v4", {}, {cmd.RELEASE}, set()),
    (
        "dbt build --target ci --select state:modified+ --defer --state ./prod",
        "",
        {},
        {cmd.DATA_DEPLOY, cmd.SLIM_CI, cmd.DATA_QUALITY},
        set(),
    ),
    ("soda scan -d warehouse -c configuration.yml checks.yml", "", {}, {cmd.DATA_QUALITY}, set()),
    ("great_expectations checkpoint run orders", "", {}, {cmd.DATA_QUALITY}, set()),
    ("terraform plan -out tfplan", "", {}, {cmd.IAC_PLAN}, {cmd.IAC_APPLY}),
    ("terraform apply -auto-approve tfplan", "", {}, {cmd.IAC_APPLY, cmd.DEPLOY}, set()),
    ("infracost diff --path plan.json", "", {}, {cmd.COST}, set()),
    ("modelscan -p models/model.pkl", "", {}, {cmd.SECURITY}, set()),
    ("bandit -r src", "", {}, {cmd.SECURITY}, set()),
    ("gh pr comment $PR --body-file report.md", "", {}, {cmd.POST_RESULTS}, set()),
    ("", "actions/github-script@v7", {"script": "github.rest.issues.createComment({body})"}, {cmd.POST_RESULTS}, set()),
    ("mlflow artifacts download -u models:/churn@champion -d model", "", {}, {cmd.MODEL_FETCH}, set()),
    ("gh workflow run retrain.yml", "", {}, {cmd.DISPATCH}, set()),
    ("# pytest\n# kubectl apply -f k8s/", "", {}, set(), {cmd.TEST, cmd.DEPLOY}),
    # task runners: rake/rails test tasks and Meltano plugin tests
    ("bundle exec rake spec", "", {}, {cmd.TEST}, set()),
    ("bin/rails test:system", "", {}, {cmd.TEST}, set()),
    ("bundle exec rails db:setup", "", {}, set(), {cmd.TEST}),
    ("bundle exec rake assets:precompile", "", {}, set(), {cmd.TEST}),
    ("meltano test airflow", "", {}, {cmd.TEST}, set()),
    ("meltano run dbt-snowflake:run dbt-snowflake:test", "", {}, {cmd.TEST}, set()),
    ("meltano run tap-x target-y", "", {}, set(), {cmd.TEST, cmd.DATA_DEPLOY, cmd.DATA_QUALITY}),
    ("meltano run dbt-snowflake:run dbt-snowflake:test", "", {}, {cmd.DATA_DEPLOY, cmd.DATA_QUALITY}, set()),
    ("meltano invoke dbt-postgres test", "", {}, {cmd.DATA_QUALITY}, {cmd.DATA_DEPLOY}),
    ("meltano run dbt-snowflake:deps", "", {}, set(), {cmd.DATA_DEPLOY, cmd.DATA_QUALITY}),
    ("meltano run dbt-snowflake:run_dbt_artifacts", "", {}, set(), {cmd.DATA_DEPLOY}),
    ("meltano invoke sqlfluff lint", "", {}, set(), {cmd.TEST}),
    # remote reusable workflows, by file name
    ("", "org/infra/.github/workflows/deploy.yml@main", {}, {cmd.DEPLOY}, set()),
    ("", "org/infra/.github/workflows/release.yml@main", {}, {cmd.RELEASE}, {cmd.DEPLOY}),
    ("", "org/infra/.github/workflows/deploy-docs.yml@main", {}, set(), {cmd.DEPLOY}),
    ("", "org/infra/.github/workflows/release-notes.yml@main", {}, set(), {cmd.RELEASE}),
    ("", "org/release@v1", {}, set(), {cmd.RELEASE}),
]


@pytest.mark.parametrize(("run", "uses", "inputs", "present", "absent"), ROWS, ids=[r[0] or r[1] for r in ROWS])
def test_classification(run: str, uses: str, inputs: dict[str, str], present: set[str], absent: set[str]) -> None:
    found = {h.category for h in classify(step(run, uses, inputs=inputs))}
    assert present <= found, found
    assert not (absent & found), found


@pytest.mark.parametrize(
    ("run", "can_fail"),
    [
        ("pytest", False),
        ("pytest || true", True),
        ("pytest || exit 0", True),
        ("pytest; exit 0", True),
        ("set +e\npytest", True),
        ("set +e\nset -e\npytest", False),
        ("pytest || echo 'tests failed'", True),
        ("cd api && pytest", False),
    ],
)
def test_silent_failures_are_not_gates(run: str, can_fail: bool) -> None:
    hits = [h for h in classify(step(run)) if h.category == cmd.TEST]
    assert [h.can_fail for h in hits] == [can_fail]
    assert bool(gate_hits(step(run), cmd.TEST)) is not can_fail


def test_continue_on_error_masks_every_command() -> None:
    assert gate_hits(step("pytest", can_fail=True), cmd.TEST) == []


def test_lines_follow_the_script() -> None:
    found = commands(step("pip install -r r.txt\n\npytest \\\n  -q\nkubectl apply -f k8s"))
    assert [(c.text, c.line) for c in found] == [("pytest -q", 13), ("kubectl apply -f k8s", 15)]


@pytest.mark.parametrize(
    ("text", "env"),
    [
        ("dbt run --target prod", "prod"),
        ("dbt run", ""),
        ("helm upgrade app chart -f values-staging.yaml", "staging"),
        ("databricks bundle deploy -t dev", "dev"),
        ("sqlmesh plan prod --auto-apply", "prod"),
    ],
)
def test_environment_of_deploys(text: str, env: str) -> None:
    hits = [h for h in classify(step(text)) if h.category in (cmd.DEPLOY, cmd.DATA_DEPLOY)]
    assert hits and {h.env for h in hits} == {env}


def test_model_deploys_are_marked() -> None:
    assert [h.model for h in classify(step("az ml online-deployment update -f d.yml"))] == [True]
    assert [h.model for h in classify(step("gcloud run deploy api"))] == [False]


def test_python_targets() -> None:
    assert python_targets("python -u src/train.py --x 1 && python -m pkg.evaluate") == ["src/train.py", "pkg.evaluate"]
