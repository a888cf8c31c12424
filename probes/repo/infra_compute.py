"""Compute management in IaC: team and shared compute, budgets and quotas, cost tags, chargeback.

Terraform resources switched off (`count = 0`) do not count. Scale limits (AML `max_instances`,
`max_node_count`) are weak budget evidence (low); budgets and namespace quotas are medium. Chargeback
needs cost-allocation tooling (OpenCost/Kubecost) plus per-team quotas, or a Databricks cluster policy
that fixes a team/cost-centre tag.
"""

from __future__ import annotations

import re
from typing import Any

from probes.repo._data import unavailable_all, walk, yaml_docs
from probes.repo.infra_iac import Block, azure_resources, k8s_objects, resources, tf_blocks, tf_locals
from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

TEAM, SHARED, BUDGETS, TAGS, CHARGEBACK = (
    "iac.team_compute",
    "iac.shared_compute",
    "iac.budgets_quotas",
    "iac.cost_tags",
    "iac.chargeback",
)
SIGNALS = (TEAM, SHARED, BUDGETS, TAGS, CHARGEBACK)
TEAM_TF = ("databricks_cluster", "azurerm_machine_learning_compute_instance", "aws_sagemaker_notebook_instance")
VM_TF = ("azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine", "aws_instance", "google_compute_instance")
GPU = re.compile(
    r'(?m)^[ \t]*(?:size|vm_size|instance_type|machine_type)\s*=\s*"(?:Standard_N\w+|[pg]\d\w*\.\w+|a2-\w+|g2-\w+)"|'
    r"guest_accelerator\s*\{"
)
SHARED_TF = ("azurerm_machine_learning_compute_cluster", "databricks_cluster_policy", "databricks_instance_pool")
SHARED_K8S = ("RayCluster", "RayJob", "RayService", "ClusterQueue", "LocalQueue", "Profile")
BUDGET_TF = (
    "azurerm_consumption_budget_subscription",
    "azurerm_consumption_budget_resource_group",
    "azurerm_consumption_budget_management_group",
    "aws_budgets_budget",
    "google_billing_budget",
    "databricks_budget",
)
COMPUTE_TF = (
    TEAM_TF
    + VM_TF
    + SHARED_TF[:1]
    + (
        "databricks_job",
        "azurerm_kubernetes_cluster",
        "azurerm_kubernetes_cluster_node_pool",
        "aws_eks_node_group",
        "aws_emr_cluster",
        "google_container_node_pool",
        "aws_batch_compute_environment",
    )
)
COST_KEY = re.compile(
    r"""(?i)["']?\b(cost[-_ ]?cent(er|re)|costcenter|team|owner|project|business[-_]unit)\b["']?\s*[:=]"""
)
FIXED_TAG = re.compile(
    r"""(?is)custom_tags\.[\w-]*(team|cost|owner|project)[\w-]*["']?\s*[:=]\s*\{[^}]*?type["']?\s*[:=]\s*["']fixed"""
)
COST_TOOL = re.compile(r"(?i)\b(opencost|kubecost|cost-analyzer)\b")


def team_compute(index: RepoIndex, blocks: list[Block]) -> list[Location]:
    locs = [_tf(index, b) for b in resources(blocks, *TEAM_TF)]
    locs += [_tf(index, b, "GPU VM") for b in resources(blocks, *VM_TF) if GPU.search(b.body)]
    for path, doc in yaml_docs(index, index.by_suffix(".yml", ".yaml")):
        for keypath, value in walk(doc.data):
            key = keypath[-1] if keypath else None
            if key == "compute" and isinstance(value, str) and value.startswith("azureml:"):
                locs.append(index.location(path, doc.line(keypath), f"compute: {value}"))
            elif key in ("new_cluster", "job_clusters") and value:
                locs.append(index.location(path, doc.line(keypath), f"Databricks {key}"))
            elif key == "devices" and "gpu" in str(value).lower() and "reservations" in keypath:
                locs.append(index.location(path, doc.line(keypath), "compose GPU reservation"))
    for path in index.by_suffix(".json"):
        data = index.json(path)
        if isinstance(data, dict) and "spark_version" in data and "node_type_id" in data:
            locs.append(index.location(path, 1, "Databricks cluster spec"))
    return locs


def shared_compute(index: RepoIndex, blocks: list[Block]) -> list[Location]:
    locs = [_tf(index, b) for b in resources(blocks, *SHARED_TF)]
    locs += [index.location(o.path, o.line, f"kind: {o.kind}") for o in k8s_objects(index, *SHARED_K8S)]
    for path, doc in yaml_docs(index, index.by_suffix(".yml", ".yaml")):
        if "amlCompute" in str(doc.data.get("$schema", "")) or str(doc.data.get("type", "")).lower() == "amlcompute":
            locs.append(index.location(path, 1, "Azure ML compute cluster"))
    locs += [
        index.location(r.path, r.line, r.type)
        for r in azure_resources(index)
        if r.type.lower() == "microsoft.machinelearningservices/workspaces/computes" and "AmlCompute" in r.body
    ]
    return locs + [index.location(p, 1, "Slurm config") for p in index.by_name("slurm.conf")]


def budgets(index: RepoIndex, blocks: list[Block]) -> tuple[list[Location], list[Location]]:
    """(budgets and quotas, scale limits only)."""
    strong = [_tf(index, b) for b in resources(blocks, *BUDGET_TF)]
    strong += [
        index.location(o.path, o.line, f"kind: {o.kind}") for o in k8s_objects(index, "ResourceQuota", "LimitRange")
    ]
    strong += [
        index.location(o.path, o.line, "ClusterQueue nominalQuota")
        for o in k8s_objects(index, "ClusterQueue")
        if "nominalQuota" in str(o.data)
    ]
    strong += [
        index.location(r.path, r.line, r.type)
        for r in azure_resources(index)
        if r.type.lower() == "microsoft.consumption/budgets"
    ]
    weak = [_tf(index, b, "max_node_count") for b in resources(blocks, *SHARED_TF[:1]) if "max_node_count" in b.body]
    weak += [
        _tf(index, b, "autotermination limit")
        for b in resources(blocks, "databricks_cluster_policy")
        if "autotermination_minutes" in b.body
    ]
    for path, doc in yaml_docs(index, index.by_suffix(".yml", ".yaml")):
        if "max_instances" in doc.data and ("amlCompute" in str(doc.data.get("$schema", "")) or "size" in doc.data):
            weak.append(index.location(path, doc.line(("max_instances",)), "max_instances"))
    return strong, weak


def cost_tags(index: RepoIndex, blocks: list[Block]) -> tuple[list[Location], int]:
    compute = resources(blocks, *COMPUTE_TF)
    default = any(COST_KEY.search(t) for b in blocks if b.kind == "provider" for t in b.nested("default_tags"))
    shared_tags = any(COST_KEY.search(body) for body in tf_locals(index))
    tagged = []
    for block in compute:
        maps = block.nested("tags") + block.nested("labels") + block.nested("custom_tags")
        ref = any((block.attr(k) or "").startswith(("local.", "var.", "merge(")) for k in ("tags", "labels"))
        if any(COST_KEY.search(m) for m in maps) or (ref and shared_tags) or (default and block.type.startswith("aws")):
            tagged.append(_tf(index, block, "cost tags"))
    for obj in k8s_objects(index, "Deployment", "Job", "CronJob", "StatefulSet", "RayCluster", "RayJob", "Namespace"):
        labels = (obj.data.get("metadata") or {}).get("labels") if isinstance(obj.data.get("metadata"), dict) else None
        if isinstance(labels, dict) and any(COST_KEY.search(f"{k}:") for k in labels):
            tagged.append(index.location(obj.path, obj.line, f"{obj.kind} labels"))
    return tagged, len(compute)


def chargeback(index: RepoIndex, blocks: list[Block]) -> list[Location]:
    tf_text = {b.path: b.body for b in resources(blocks, "databricks_cluster_policy")}
    policy_files = list(tf_text.items()) + [(p, index.text(p) or "") for p in index.by_suffix(".json")]
    locs = [index.location(p, 1, "cluster policy fixes a cost tag") for p, t in policy_files if FIXED_TAG.search(t)]
    tools = [_tf(index, b, "cost allocation") for b in resources(blocks, "helm_release") if COST_TOOL.search(b.body)]
    tools += [
        index.location(o.path, o.line, "cost allocation")
        for o in k8s_objects(index)
        if o.kind in ("Deployment", "HelmRelease", "Application") and COST_TOOL.search(str(o.data))
    ]
    tools += [
        index.location(p, 1, "cost allocation chart")
        for p in index.by_name("Chart.yaml", kinds=None)
        if COST_TOOL.search(index.text(p) or "")
    ]
    spaces = {_namespace(o.data) for o in k8s_objects(index, "ResourceQuota", "LocalQueue")}
    if tools and len(spaces - {None}) >= 2:
        locs += tools
    return locs


def _namespace(data: dict[str, Any]) -> str | None:
    meta = data.get("metadata")
    return str(meta.get("namespace")) if isinstance(meta, dict) and meta.get("namespace") else None


def _tf(index: RepoIndex, block: Block, what: str = "") -> Location:
    return index.location(block.path, block.line, what or f'resource "{block.type}" "{block.name}"')


@probe(
    "repo.infra.compute",
    summary="Compute management in IaC: team and shared compute, budgets/quotas, cost tags and chargeback.",
    emits=SIGNALS,
    remediation="Run ML on shared, tagged compute with budgets or quotas, and allocate its cost to the teams using it.",
    evidence=("file",),
)
def compute(views: Views) -> list[Finding]:
    index = views.repo
    if index is None:
        return unavailable_all(views, SIGNALS)
    blocks = tf_blocks(index)
    team, shared = team_compute(index, blocks), shared_compute(index, blocks)
    strong, weak = budgets(index, blocks)
    tagged, total = cost_tags(index, blocks)
    charge = chargeback(index, blocks)
    share = round(len(tagged) / total, 2) if total else None
    return [
        hit(views, TEAM, team, f"{len(team)} team compute definition(s)")
        if team
        else miss(views, TEAM, "No team compute definitions (clusters, GPU VMs, AML compute targets)"),
        hit(views, SHARED, shared, f"{len(shared)} shared compute definition(s)")
        if shared
        else miss(views, SHARED, "No shared compute (AML clusters, cluster policies, Ray/Kueue, Slurm)"),
        hit(
            views,
            BUDGETS,
            strong + weak,
            f"{len(strong)} budget/quota definition(s), {len(weak)} scale limit(s)",
            confidence="medium" if strong else "low",
            values={"count": len(strong), "scale_limits": len(weak)},
        )
        if strong or weak
        else miss(views, BUDGETS, "No budgets, quotas or scale limits in IaC"),
        hit(
            views,
            TAGS,
            tagged,
            f"{len(tagged)} compute resource(s) carry cost-allocation tags",
            values={"count": len(tagged), "compute": total, "share": share},
        )
        if tagged
        else miss(
            views, TAGS, f"No cost-allocation tags on compute ({total} compute resource(s))", values={"compute": total}
        ),
        hit(views, CHARGEBACK, charge, "Compute cost allocated per team")
        if charge
        else miss(views, CHARGEBACK, "No chargeback (cost allocation with per-team quotas, or fixed cost tags)"),
    ]
