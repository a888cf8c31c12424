"""CodePipeline declared in CloudFormation/SAM templates and in CDK apps."""

from __future__ import annotations

from pathlib import Path

from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import PUSH
from tests.ci._support import job, kinds, model_of, pipeline

TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: !GetAtt Role.Arn
      Stages:
        - Name: Source
          Actions:
            - Name: Source
              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeStarSourceConnection, Version: '1'}
              Configuration: {BranchName: main, FullRepositoryId: org/app}
        - Name: Build
          Actions:
            - Name: Build
              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: '1'}
              Configuration: {ProjectName: !Ref Project}
        - Name: Staging
          Actions:
            - Name: DeployStaging
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: ECS, Version: '1'}
              Configuration: {ClusterName: staging, ServiceName: api}
        - Name: Approve
          Actions:
            - Name: Approve
              ActionTypeId: {Category: Approval, Owner: AWS, Provider: Manual, Version: '1'}
        - Name: Prod
          Actions:
            - Name: DeployProd
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CodeDeployToECS, Version: '1'}
"""

CDK = """import * as cdk from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';

const pipeline = new codepipeline.Pipeline(this, 'Pipeline', {});
const source = new actions.CodeStarConnectionsSourceAction({ branch: 'main', output });
const deploy = new actions.CodeDeployEcsDeployAction({ actionName: 'Deploy', deploymentGroup });
"""


def test_cloudformation_pipeline_stages(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path,
        {
            "infra/pipeline.yaml": TEMPLATE,
            "infra/bucket.yaml": "Resources:\n  B:\n    Type: AWS::S3::Bucket\n",
        },
    )
    p = pipeline(ci, "infra/pipeline.yaml")
    assert p.system == "codepipeline"
    assert kinds(p.triggers) == [PUSH] and p.triggers[0].branches == ("main",)
    staging, prod = job(p, "Staging"), job(p, "Prod")
    assert ci.is_automatic(p, staging)
    assert ci.is_gated(p, prod)
    deploys = {j.id for _, j, s in ci.steps() if cmd.hits(s, cmd.DEPLOY)}
    assert deploys == {"Staging", "Prod"}, "a CodeBuild build action is not a deploy"


def test_cdk_pipeline(tmp_path: Path) -> None:
    ci = model_of(
        tmp_path,
        {
            ".aws/src/main.ts": CDK,
            # look-alike: an app that only names a class CodePipeline, no CDK
            "src/client.ts": "export class CodePipeline { run() {} }\nconst c = new CodePipeline();\n",
        },
    )
    assert [p.path for p in ci.pipelines] == [".aws/src/main.ts"]
    deploys = [(p, j) for p, j, s in ci.steps() if cmd.hits(s, cmd.DEPLOY)]
    assert len(deploys) == 1 and ci.is_automatic(*deploys[0])
