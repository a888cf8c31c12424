"""Managed platforms that deploy on push by their own manifest (Render, DigitalOcean App Platform)."""

from __future__ import annotations

from pathlib import Path

from scanner.facts.ci import commands as cmd
from scanner.facts.ci.model import MANUAL, PUSH
from tests.ci._support import job, kinds, model_of, pipeline

RENDER = """services:
  - type: web
    name: api
    runtime: python
    branch: main
    buildCommand: pip install -r requirements.txt
  - type: worker
    name: batch
    autoDeploy: false
"""
DO = """spec:
  name: shop
  services:
    - name: web
      github: {repo: acme/shop, branch: main, deploy_on_push: true}
"""


def test_render_services_deploy_on_push_unless_disabled(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {"render.yaml": RENDER, "examples/render.yaml": RENDER})
    p = pipeline(ci, "render.yaml")
    api, batch = job(p, "api"), job(p, "batch")
    assert kinds(api.triggers or ()) == [PUSH] and (api.triggers or ())[0].branches == ("main",)
    assert ci.is_automatic(p, api) and kinds(batch.triggers or ()) == [MANUAL]
    assert {j.id for _, j, s in ci.steps() if cmd.hits(s, cmd.DEPLOY)} == {"api", "batch"}
    assert [q.path for q in ci.pipelines] == ["render.yaml"]


def test_digitalocean_deploy_on_push(tmp_path: Path) -> None:
    ci = model_of(tmp_path, {".do/app.yaml": DO, "fly.toml": "app = 'x'\n"})
    p = pipeline(ci, ".do/app.yaml")
    assert ci.is_automatic(p, job(p, "web"))
    assert len(ci.pipelines) == 1, "fly.toml alone does not say when a deploy runs"
