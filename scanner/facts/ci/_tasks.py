"""Shell-like text for actions and tasks whose inputs say what they run (Azure `AzureCLI@2` inline
scripts, `TerraformTaskV4@4` commands, `azure/cli` inlineScript, `pulumi/actions` commands, ...), so they
are classified like `run:` scripts."""

from __future__ import annotations

import re

from scanner.facts.ci._rules import SCRIPT_INPUTS
from scanner.facts.ci.model import Step

_COMMENT = re.compile(r"^\s*(?:#|//|rem\s|::\s)", re.IGNORECASE)


def uses_name(uses: str) -> str:
    """`actions/checkout@v4` -> `actions/checkout`; `AzureCLI@2` -> `azurecli`; `docker://x` -> `x`."""
    return uses.lower().removeprefix("docker://").split("@", 1)[0].strip()


def task_texts(step: Step) -> list[str]:
    """Shell-like text for actions/tasks whose inputs say what they run."""
    name = uses_name(step.uses)
    if not name:
        return []
    inputs = {k.lower(): v for k, v in step.inputs}

    def get(key: str, default: str = "") -> str:
        return inputs.get(key.lower(), default)

    if name.startswith(("terraformtask", "terraformcli", "terraform")):
        return [f"terraform {get('command')} {get('commandOptions')}"]
    if name.startswith("helmdeploy"):
        return [f"helm {get('command')} {get('chartName')} {get('arguments')}"]
    if name.startswith("kubernetesmanifest") and get("action", "deploy") == "deploy":
        return [f"kubectl apply -f {get('manifests')}"]
    if name.startswith("kubernetes@") or name == "kubernetes":
        return [f"kubectl {get('command')} {get('arguments')}"]
    if name.startswith("docker") and "/" not in name:
        command = get("command", "buildAndPush")
        return ["docker build", "docker push"] if command == "buildAndPush" else [f"docker {command}"]
    if name.startswith("dotnetcorecli"):
        return [f"dotnet {get('command', 'build')} {get('arguments')}"]
    if name.startswith("maven"):
        return [f"mvn {get('goals', 'package')}"]
    if name.startswith("gradle") and "/" not in name:
        return [f"gradle {get('tasks', 'build')}"]
    if name.startswith("npm") and "/" not in name:
        return [f"npm {get('customCommand') if get('command') == 'custom' else get('command', 'install')}"]
    if name.startswith("pythonscript") and get("scriptPath"):
        return [f"python {get('scriptPath')} {get('arguments')}"]
    if name.startswith("dagster-io/dagster-cloud-action/") and get("command"):
        return [f"dagster-cloud {get('command')}"]  # actions/utils/dagster-cloud-cli runs `dagster-cloud <command>`
    if name in ("pulumi/actions",) or name.startswith("pulumi"):
        return [f"pulumi {get('command')}"]
    texts = [inputs[k.lower()] for k in SCRIPT_INPUTS if inputs.get(k.lower())]
    if get("scriptPath") and get("scriptType", "") in ("bash", "ps", "pscore", "") and not texts:
        texts.append(get("scriptPath") + " " + get("arguments"))
    return [line.strip() for text in texts for line in text.splitlines() if line.strip() and not _COMMENT.match(line)]
