from __future__ import annotations

from pathlib import Path

import pytest

from probes.repo.infra_security import AUDIT, COLUMNS, data_security
from probes.repo.infra_storage import DATASET_ACL, NO_ACL, PUBLIC, storage
from scanner.testing import labels, run_on_repo, truth

BUCKETS = """resource "aws_s3_bucket" "raw" {
  bucket = "acme-raw"
}

resource "aws_s3_bucket" "curated" {
  bucket = "acme-curated"
  # braces in strings and comments must not confuse the parser: "}" {
  tags = { team = "data" }
}

resource "aws_s3_bucket_policy" "raw" {
  bucket = aws_s3_bucket.raw.id
  policy = data.aws_iam_policy_document.raw.json
}
"""
AZURE = """resource "azurerm_storage_account" "lake" {
  name                            = "acmelake"
  allow_nested_items_to_be_public = true
}

resource "azurerm_storage_container" "raw" {
  name                  = "raw"
  storage_account_name  = azurerm_storage_account.lake.name
  container_access_type = "private"
}

resource "azurerm_role_assignment" "raw_readers" {
  scope                = azurerm_storage_container.raw.resource_manager_id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azuread_group.analysts.object_id
}
"""
IAM_DOC = """data "aws_iam_policy_document" "training" {
  statement {
    resources = [aws_s3_bucket.raw.arn, "arn:aws:s3:::acme-curated/*"]
  }
}
"""
PUBLIC_OFF = """resource "aws_s3_bucket_public_access_block" "raw" {
  count             = 0
  bucket            = "x"
  block_public_acls = false
}
"""
BICEP = """resource sa 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: 'acmelake'
  properties: {
    allowBlobPublicAccess: true
  }
}
"""
VERSIONING_OFF = (
    'resource "aws_s3_bucket_versioning" "v" {\n  versioning_configuration {\n    enabled = false\n  }\n}\n'
)

CFN_BUCKET = "Resources:\n  RawBucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: acme-raw\n"
CFN_POLICY = "  RawPolicy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref RawBucket\n"

STORAGE_CASES = [
    (
        "s3 with and without policy",
        {"infra/s3.tf": BUCKETS},
        {NO_ACL: True, DATASET_ACL: True},
        {NO_ACL: ["infra/s3.tf:5"], DATASET_ACL: ["infra/s3.tf:11"]},
    ),
    (
        "azure container role assignment",
        {"infra/lake.tf": AZURE},
        {DATASET_ACL: True, PUBLIC: True},
        {DATASET_ACL: ["infra/lake.tf:12"], PUBLIC: ["infra/lake.tf:3"]},
    ),
    ("public access block switched off", {"infra/p.tf": PUBLIC_OFF}, {}, {}),
    ("bicep public blob access", {"infra/main.bicep": BICEP}, {PUBLIC: True}, {PUBLIC: ["infra/main.bicep:1"]}),
    (
        "gcs public member",
        {
            "infra/gcs.tf": 'resource "google_storage_bucket_iam_member" "p" {\n'
            '  bucket = google_storage_bucket.b.name\n  member = "allUsers"\n}\n'
        },
        {PUBLIC: True},
        {PUBLIC: ["infra/gcs.tf:3"]},
    ),
    ("nested enabled=false is not count=0", {"infra/v.tf": VERSIONING_OFF}, {}, {}),
    ("storage in examples", {"examples/infra/s3.tf": BUCKETS}, {}, {}),
    (
        "iam policy scoped to the buckets",
        {"infra/s3.tf": BUCKETS.split('resource "aws_s3_bucket_policy"')[0] + IAM_DOC},
        {DATASET_ACL: True},
        {DATASET_ACL: ["infra/s3.tf:11"]},
    ),
    (
        "policy names the bucket literally",
        {
            "infra/s3.tf": 'resource "aws_s3_bucket" "raw" {\n  bucket = "acme-raw"\n}\n'
            'resource "aws_s3_bucket_policy" "p" {\n  bucket = "acme-raw"\n}\n'
        },
        {DATASET_ACL: True},
        {DATASET_ACL: ["infra/s3.tf:4"]},
    ),
    (
        "lake formation table permissions",
        {
            "infra/lf.tf": 'resource "aws_lakeformation_permissions" "p" {\n'
            '  principal = aws_iam_role.r.arn\n  table {\n    name = "orders"\n  }\n}\n'
        },
        {DATASET_ACL: True},
        {DATASET_ACL: ["infra/lf.tf:1"]},
    ),
    (
        "cloudformation bucket with a bucket policy",
        {"infra/stack.yaml": CFN_BUCKET + CFN_POLICY},
        {DATASET_ACL: True},
        {DATASET_ACL: ["infra/stack.yaml:7"]},
    ),
    ("cloudformation bucket alone", {"infra/stack.yaml": CFN_BUCKET}, {NO_ACL: True}, {NO_ACL: ["infra/stack.yaml:3"]}),
    (
        "cloudformation public bucket",
        {"infra/stack.yaml": CFN_BUCKET + "      AccessControl: PublicRead\n"},
        {NO_ACL: True, PUBLIC: True},
        {},
    ),
    ("cloudformation in examples", {"examples/stack.yaml": CFN_BUCKET}, {}, {}),
    (
        "cdk bucket granted to a role",
        {"infra/app.py": "from aws_cdk import aws_s3 as s3\n\nb = s3.Bucket(self, 'Raw')\nb.grant_read(role)\n"},
        {DATASET_ACL: True},
        {DATASET_ACL: ["infra/app.py:4"]},
    ),
    (
        "cdk bucket without grants",
        {"infra/app.ts": "import * as s3 from 'aws-cdk-lib/aws-s3';\nconst b = new s3.Bucket(this, 'Raw');\n"},
        {NO_ACL: True},
        {},
    ),
]


@pytest.mark.parametrize(
    ("files", "expected", "where"), [c[1:] for c in STORAGE_CASES], ids=[c[0] for c in STORAGE_CASES]
)
def test_storage(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(storage, tmp_path, files)
    assert {s: truth(f) for s, f in found.items()} == {s: expected.get(s, False) for s in found}
    for signal, locs in where.items():
        assert labels(found[signal]) == locs


TRAIL_DATA = """resource "aws_cloudtrail" "data" {
  name = "data-events"
  event_selector {
    read_write_type = "All"
    data_resource {
      type   = "AWS::S3::Object"
      values = ["arn:aws:s3"]
    }
  }
}
"""
TRAIL_MGMT = 'resource "aws_cloudtrail" "mgmt" {\n  name = "mgmt"\n}\n'
DIAG = """resource "azurerm_monitor_diagnostic_setting" "lake" {
  name               = "lake-audit"
  target_resource_id = azurerm_storage_account.lake.id
}
"""
GCP_AUDIT = """resource "google_project_iam_audit_config" "bq" {
  service = "bigquery.googleapis.com"
  audit_log_config {
    log_type = "DATA_READ"
  }
}
"""
BQ_SCHEMA = '[{"name": "email", "type": "STRING", "policyTags": {"names": ["projects/p/taxonomies/1/policyTags/2"]}}]'
LF_TAGS = 'resource "aws_lakeformation_lf_tag" "pii" {\n  key = "pii"\n  values = ["true"]\n}\n'

SECURITY_CASES = [
    ("cloudtrail data events", {"infra/trail.tf": TRAIL_DATA}, {AUDIT: True}, {AUDIT: ["infra/trail.tf:1"]}),
    ("management-only trail", {"infra/trail.tf": TRAIL_MGMT}, {}, {}),
    ("diagnostic setting on storage", {"infra/diag.tf": DIAG}, {AUDIT: True}, {}),
    ("gcp data read audit", {"infra/audit.tf": GCP_AUDIT}, {AUDIT: True}, {}),
    (
        "bigquery policy tags in schema",
        {"schemas/customers.json": BQ_SCHEMA},
        {COLUMNS: True},
        {COLUMNS: ["schemas/customers.json:1"]},
    ),
    ("lf tag defined but not attached", {"infra/lf.tf": LF_TAGS}, {}, {}),
    (
        "lf tag attached",
        {
            "infra/lf.tf": LF_TAGS + 'resource "aws_lakeformation_resource_lf_tags" "t" {\n'
            '  lf_tag {\n    key = "pii"\n  }\n}\n'
        },
        {COLUMNS: True},
        {COLUMNS: ["infra/lf.tf:5"]},
    ),
]


@pytest.mark.parametrize(
    ("files", "expected", "where"), [c[1:] for c in SECURITY_CASES], ids=[c[0] for c in SECURITY_CASES]
)
def test_data_security(
    tmp_path: Path, files: dict[str, str | bytes], expected: dict[str, bool], where: dict[str, list[str]]
) -> None:
    found = run_on_repo(data_security, tmp_path, files)
    assert {s: truth(f) for s, f in found.items()} == {s: expected.get(s, False) for s in found}
    for signal, locs in where.items():
        assert labels(found[signal]) == locs


def test_management_only_trail_is_explained(tmp_path: Path) -> None:
    finding = run_on_repo(data_security, tmp_path, {"infra/trail.tf": TRAIL_MGMT})[AUDIT]
    assert "management events only" in finding.message and finding.values == {"management_only_trails": 1}
