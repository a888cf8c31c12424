"""Object storage in IaC: buckets/containers without access policies, dataset-level ACLs, public access.

Terraform blocks are matched to their policies by reference (`aws_s3_bucket_policy` naming
`aws_s3_bucket.raw`, a role assignment scoped to `azurerm_storage_container.raw`, ...). A resource
switched off (`count = 0`) is not storage. Bicep/ARM storage and role assignments are read by type.
CloudFormation templates (`Type: AWS::S3::Bucket`, `AWS::S3::BucketPolicy`, `AWS::LakeFormation::Permissions`)
and CDK code (`s3.Bucket(...)`, `bucket.grant_read(...)`, `add_to_resource_policy`) are read by pattern.
"""

from __future__ import annotations

import re

from probes.repo._data import grep_code, unavailable_all
from probes.repo.infra_iac import AzureResource, Block, azure_resources, resources, tf_blocks
from scanner.facts.paths import CODE
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

NO_ACL, DATASET_ACL, PUBLIC = "iac.storage.no_acl", "iac.storage.dataset_acl", "iac.storage.public"
SIGNALS = (NO_ACL, DATASET_ACL, PUBLIC)
STORAGE = ("aws_s3_bucket", "azurerm_storage_account", "azurerm_storage_container", "google_storage_bucket")
POLICIES = (
    "aws_s3_bucket_policy",
    "google_storage_bucket_iam_member",
    "google_storage_bucket_iam_binding",
    "google_storage_bucket_iam_policy",
    "azurerm_role_assignment",
)
IAM_POLICIES = ("aws_iam_policy_document", "aws_iam_policy", "aws_iam_role_policy", "aws_iam_group_policy")
DATASET_POLICIES = (
    "aws_lakeformation_permissions",
    "google_bigquery_dataset_iam_member",
    "google_bigquery_dataset_iam_binding",
    "google_bigquery_dataset_iam_policy",
    "google_bigquery_table_iam_member",
    "google_bigquery_table_iam_binding",
)
BLOB_ROLES = re.compile(
    r"Storage Blob Data|ba92f5b4-2d11-453d-a403-e96b0029c9fe|2a2b9908-6ea1-4ae2-8e65-a410df84e7d1|"
    r"b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    re.IGNORECASE,
)
PUBLIC_TF = re.compile(
    r"(?m)^[ \t]*(?:acl\s*=\s*\"public-read(?:-write)?\"|(?:block_public_acls|block_public_policy|ignore_public_acls|"
    r"restrict_public_buckets)\s*=\s*false|(?:allow_nested_items_to_be_public|allow_blob_public_access)\s*=\s*true|"
    r"container_access_type\s*=\s*\"(?:blob|container)\"|members?\s*=\s*.*\"all(?:Authenticated)?Users\")"
)
PUBLIC_ARM = re.compile(
    r"(?i)[\"']?allowBlobPublicAccess[\"']?\s*:\s*true|[\"']?publicAccess[\"']?\s*:\s*[\"'](?:blob|container)"
)
CFN_TYPE = re.compile(
    r"""(?m)^[ \t]*["']?Type["']?\s*:\s*["']?(AWS::S3::Bucket(?:Policy)?|AWS::LakeFormation::Permissions)\b"""
)
CFN_PUBLIC = re.compile(
    r"""(?m)^[ \t]*["']?(?:AccessControl["']?\s*:\s*["']?PublicRead|(?:BlockPublicAcls|BlockPublicPolicy|"""
    r"""IgnorePublicAcls|RestrictPublicBuckets)["']?\s*:\s*["']?false)"""
)
CDK_BUCKET = re.compile(r"\bs3\.Bucket\s*\(")
CDK_GRANT = re.compile(
    r"\.(?:grant_(?:read|write|read_write|put|delete)|grant(?:Read|Write|ReadWrite|Put|Delete)|"
    r"add_to_resource_policy|addToResourcePolicy)\s*\(|\bs3\.BucketPolicy\s*\("
)
CDK_PUBLIC = re.compile(r"\bpublic_read_access\s*=\s*True|\bpublicReadAccess\s*:\s*true")
ARM_STORAGE = ("microsoft.storage/storageaccounts", "microsoft.storage/storageaccounts/blobservices/containers")


def _acl_for(policy: Block, storage: list[Block]) -> list[Block]:
    """The storage blocks a policy block applies to."""
    if policy.type == "azurerm_role_assignment" and not BLOB_ROLES.search(policy.body):
        return []
    named = {policy.attr("bucket"), policy.attr("storage_account_name")} - {None}
    direct = [s for s in storage if policy.refers_to(s) or named & {s.attr("bucket"), s.attr("name")}]
    return direct + [s for s in storage if s.type == "azurerm_storage_account" and any(d.refers_to(s) for d in direct)]


def storage_acls(index: RepoIndex) -> tuple[list[Location], list[Location], list[Location]]:
    """(storage blocks without any policy, dataset-ACL locations, public-access locations)."""
    blocks = tf_blocks(index)
    storage = resources(blocks, *STORAGE)
    covered: set[str] = set()
    acl: list[Location] = []
    for policy in resources(blocks, *POLICIES):
        targets = _acl_for(policy, storage)
        covered.update(s.address for s in targets)
        if targets:
            acl.append(index.location(policy.path, policy.line, f'resource "{policy.type}" "{policy.name}"'))
    for doc in [b for b in blocks if b.type in IAM_POLICIES and b.enabled]:  # identity-based, scoped to buckets
        targets = [s for s in storage if s.type == "aws_s3_bucket" and (doc.refers_to(s) or _names_arn(doc, s))]
        covered.update(s.address for s in targets)
        if targets:
            acl.append(index.location(doc.path, doc.line, f'{doc.kind} "{doc.type}" "{doc.name}"'))
    for block in storage:
        if block.type == "aws_s3_bucket" and block.attr("policy"):
            covered.add(block.address)
            acl.append(index.location(block.path, block.line, f"{block.address} inline policy"))
    for policy in resources(blocks, *DATASET_POLICIES):
        if policy.type != "aws_lakeformation_permissions" or re.search(
            r"(?m)^[ \t]*(database|table\w*)\s*\{", policy.body
        ):
            acl.append(index.location(policy.path, policy.line, f'resource "{policy.type}" "{policy.name}"'))
    public = [
        index.location(b.path, b.line_at(m.start()), m.group(0).strip())
        for b in blocks
        if b.kind == "resource" and b.enabled
        for m in PUBLIC_TF.finditer(b.body)
    ]
    arm = azure_resources(index)
    acl += [index.location(r.path, r.line, "role assignment: Storage Blob Data") for r in arm if _arm_blob_role(r)]
    public += [
        index.location(r.path, r.line, r.type)
        for r in arm
        if r.type.lower() in ARM_STORAGE and PUBLIC_ARM.search(r.body)
    ]
    cfn_bare, cfn_acl, cfn_public = aws_templates(index)
    bare = [index.location(s.path, s.line, s.address) for s in storage if s.address not in covered]
    return bare + cfn_bare, acl + cfn_acl, public + cfn_public


def aws_templates(index: RepoIndex) -> tuple[list[Location], list[Location], list[Location]]:
    """CloudFormation and CDK storage: (buckets of a file with no policy or grant, policies/grants, public)."""
    bare: list[Location] = []
    acl: list[Location] = []
    public: list[Location] = []
    for path in index.by_suffix(".yml", ".yaml", ".json", ".template", kinds={CODE}):
        text = index.text(path) or ""
        if "AWS::S3::" not in text and "AWS::LakeFormation::" not in text:
            continue
        found = [(m.group(1), text.count("\n", 0, m.start()) + 1) for m in CFN_TYPE.finditer(text)]
        buckets = [ln for t, ln in found if t == "AWS::S3::Bucket"]
        policies = [(t, ln) for t, ln in found if t != "AWS::S3::Bucket"]
        acl += [index.location(path, ln, t) for t, ln in policies]
        if buckets and not policies:
            bare += [index.location(path, ln, "AWS::S3::Bucket") for ln in buckets]
        public += [
            index.location(path, text.count("\n", 0, m.start()) + 1, m.group(0).strip())
            for m in CFN_PUBLIC.finditer(text)
        ]
    cdk = [
        p
        for p in index.by_suffix(".ts", ".py", kinds={CODE})
        if "aws_s3" in (index.text(p) or "") or "aws-s3" in (index.text(p) or "")
    ]
    for hit_ in grep_code(index, CDK_BUCKET, cdk, words=("bucket",)):
        text = index.text(hit_.path) or ""
        if not CDK_GRANT.search(text):
            bare.append(index.location(hit_.path, hit_.line, "CDK s3.Bucket"))
    acl += [
        index.location(h.path, h.line, h.text[:120])
        for h in grep_code(index, CDK_GRANT, cdk, words=("grant", "resource_policy", "resourcepolicy", "bucketpolicy"))
    ]
    public += [
        index.location(h.path, h.line, h.text[:120]) for h in grep_code(index, CDK_PUBLIC, cdk, words=("public",))
    ]
    return bare, acl, public


def _names_arn(doc: Block, bucket: Block) -> bool:
    """Whether an IAM policy names the bucket by a literal ARN."""
    name = bucket.attr("bucket")
    return bool(name) and "${" not in str(name) and f"arn:aws:s3:::{name}" in doc.body


def _arm_blob_role(res: AzureResource) -> bool:
    return res.type.lower() == "microsoft.authorization/roleassignments" and bool(BLOB_ROLES.search(res.body))


@probe(
    "repo.infra.storage",
    summary="Object storage in IaC: buckets/containers with no access policy, dataset-level ACLs, public access.",
    emits=SIGNALS,
    remediation="Attach bucket/container policies or role assignments per dataset, and block public access.",
    evidence=("file",),
)
def storage(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, SIGNALS)
    bare, acl, public = storage_acls(index)
    return [
        hit(
            views,
            NO_ACL,
            bare,
            f"{len(bare)} storage resource(s) with no access policy or role assignment",
        )
        if bare
        else miss(views, NO_ACL, "No storage resource without an access policy (or no storage in IaC)"),
        hit(views, DATASET_ACL, acl, f"{len(acl)} dataset-level access policy/role assignment(s)")
        if acl
        else miss(views, DATASET_ACL, "No bucket/container/dataset-level access policies in IaC"),
        hit(views, PUBLIC, public, f"{len(public)} public storage setting(s)")
        if public
        else miss(views, PUBLIC, "No public storage settings in IaC"),
    ]
