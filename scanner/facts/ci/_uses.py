"""What GitHub actions, CircleCI orbs and Azure tasks do, as a table: `prefix  category[:target[:model]] ...`.

A step's `uses` (lower-cased, without `@ref`) matches a row when it starts with the row's prefix (or equals
it, for a prefix ending in `$`).
"""

from __future__ import annotations

_TABLE = """
promptfoo/promptfoo-action                       llm_eval post_results
azure/aml-deploy                                 deploy:azureml:model
azure/webapps-deploy                             deploy:azure
azure/functions-action                           deploy:azure
azure/container-apps-deploy-action               deploy:azure
azure/arm-deploy                                 deploy:azure
azure/k8s-deploy                                 deploy:kubernetes
deliverybot/helm                                 deploy:kubernetes
aws-actions/amazon-ecs-deploy-task-definition    deploy:aws
aws-actions/aws-cloudformation-github-deploy     deploy:aws
aws-actions/aws-lambda-deploy                    deploy:aws
google-github-actions/deploy-cloudrun            deploy:gcp
google-github-actions/deploy-appengine           deploy:gcp
google-github-actions/deploy-cloud-functions     deploy:gcp
akhileshns/heroku-deploy                         deploy:paas
amondnet/vercel-action                           deploy:paas
cloudflare/wrangler-action                       deploy:paas
easingthemes/ssh-deploy                          deploy:script
firebaseextended/action-hosting-deploy           deploy:paas
dagster-io/dagster-cloud-action/actions/serverless_prod_deploy   deploy:dagster data_deploy:dagster
dagster-io/dagster-cloud-action/actions/serverless_branch_deploy deploy:dagster data_deploy:dagster
dagster-io/dagster-cloud-action/actions/hybrid_prod_deploy       deploy:dagster data_deploy:dagster
dagster-io/dagster-cloud-action/actions/hybrid_branch_deploy     deploy:dagster data_deploy:dagster
dagster-io/dagster-cloud-action/actions/utils/deploy             deploy:dagster data_deploy:dagster
dflook/terraform-apply                           deploy:terraform iac_apply:terraform
dflook/terraform-plan                            iac_plan:terraform
azurewebapp                                      deploy:azure
azurermwebappdeployment                          deploy:azure
azurefunctionapp                                 deploy:azure
azurecontainerapps                               deploy:azure
azureresourcemanagertemplatedeployment           deploy:azure
azureresourcegroupdeployment                     deploy:azure
azureappservicemanage                            deploy:azure
sqlazuredacpacdeployment                         data_deploy:azure
publishadftask                                   data_deploy:adf deploy:adf
kubernetes/create-or-update-resource             deploy:kubernetes
helm/upgrade-helm-chart                          deploy:kubernetes
helm/install-helm-chart                          deploy:kubernetes
aws-ecs/deploy                                   deploy:aws
aws-eks/update-container-image                   deploy:kubernetes
gcp-cloud-run/deploy                             deploy:gcp
heroku/deploy                                    deploy:paas
peaceiris/actions-gh-pages                       docs
actions/deploy-pages                             docs
actions/upload-pages-artifact                    docs
actions/configure-pages                          docs
jamesives/github-pages-deploy-action             docs
crazy-max/ghaction-github-pages                  docs
sphinx-notes/pages                               docs
mhausenblas/mkdocs-deploy-gh-pages               docs
docker/build-push-action                         build
docker/bake-action                               build
redhat-actions/buildah-build                     build
redhat-actions/push-to-registry                  build
pypa/gh-action-pypi-publish                      build
actions/upload-artifact                          build
js-devtools/npm-publish                          build
publishpipelineartifact                          build
publishbuildartifacts                            build
publish$                                         build
aws-ecr/build                                    build
docker/publish                                   build
gcp-gcr/build                                    build
taskgraph/docker-image                           build
goreleaser/goreleaser-action                     release
googleapis/release-please-action                 release
google-github-actions/release-please-action      release
cycjimmy/semantic-release-action                 release
changesets/action                                release
python-semantic-release/python-semantic-release  release
relekang/python-semantic-release                 release
softprops/action-gh-release                      release
ncipollo/release-action                          release
actions/create-release                           release
marvinpinto/action-automatic-releases            release
commitizen-tools/commitizen-action               release
helm/chart-releaser-action                       release
release-drafter/release-drafter                  release
infracost/actions                                cost
infracost/infracost-gh-action                    cost
anchore/sbom-action                              security_scan:sbom
cyclonedx/gh-python-generate-sbom                security_scan:sbom
pycqa/bandit-action                              security_scan:code
tj-actions/bandit                                security_scan:code
marocchino/sticky-pull-request-comment           post_results
thollander/actions-comment-pull-request          post_results
peter-evans/create-or-update-comment             post_results
mshick/add-pr-comment                            post_results
peter-evans/create-pull-request                  pr_create
repo-sync/pull-request                           pr_create
peter-evans/repository-dispatch                  dispatch
benc-uk/workflow-dispatch                        dispatch
"""


def _parse(table: str) -> tuple[tuple[str, str, str, bool], ...]:
    rows = []
    for line in table.strip().splitlines():
        prefix, *specs = line.split()
        for spec in specs:
            category, target, model = [*spec.split(":"), "", ""][:3]
            rows.append((prefix, category, target, model == "model"))
    return tuple(rows)


# (uses prefix, category, target, model deploy)
USES_RULES: tuple[tuple[str, str, str, bool], ...] = _parse(_TABLE)


def uses_matches(name: str, prefix: str) -> bool:
    return name == prefix[:-1] if prefix.endswith("$") else name.startswith(prefix)
