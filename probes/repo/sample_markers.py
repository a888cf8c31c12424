"""Is the repository a template, sample or teaching material rather than a team's own practice?

docs/model.md, "Presence is not practice": a template, course, tutorial, quick-start or vendor demo is
not a mature organisation; its CI/CD files alone do not lift it above Procedural, and placeholders are
intent, not practice. The rules turn these two signals into ceilings (`ceilings:` in rules/*.yml), and
People into unknown (a sample's maintainers are not a team: `who_works_visible` in rules/people.yml); an
attestation can lift either.

- `repo.sample_or_template`: the repo presents itself as a template, sample, demo or starter (a README
  title or opening sentence saying so, `page_type: sample` front matter, an azd template manifest, a
  cookiecutter/copier template at the root).
- `repo.teaching_or_skeleton`: teaching material (a course, book companion, cookbook, tutorial,
  workshop, a learning or portfolio project) or a skeleton whose configs are placeholders to fill in.

Only the root README's title and opening lines are read (not code fences): a mature project that
mentions an example further down is not a sample.
"""

from __future__ import annotations

import re

from scanner.facts.repo_index import RepoIndex
from scanner.model import Finding, Location
from scanner.probekit import hit, miss, probe
from scanner.views import Views

SAMPLE = "repo.sample_or_template"
TEACHING = "repo.teaching_or_skeleton"
README_NAMES = ("README.md", "README.rst", "README.txt", "README", "readme.md", "Readme.md")
INTRO_LINES = 40
LINE_CAP = 400  # characters of one line that are matched

SAMPLE_TITLE = re.compile(
    r"(?i)\b(templates?|samples?|starter|boilerplate|demo|examples?|scaffold|quick-?start|"
    r"reference (architecture|implementation))\b"
)
SAMPLE_INTRO = re.compile(
    r"(?i)\bthis (repo|repository|project|sample|template|demo|solution accelerator)\b[^.]{0,60}?"
    r"\b(is|contains|provides|demonstrates|shows|illustrates)\b[^.]{0,60}?"
    r"\b(templates?|samples?|demo(nstration)?|starter|boilerplate|examples?|accelerator|showcase)\b"
    r"|\b(sample (code|app|application)|azd template|use this template|solution accelerator)\b"
    r"|\b(fictional|fictitious) (company|business|firm|organi[sz]ation|(\w+ ){0,3}team)\b"
)
# Only in the opening paragraph: further down, "this example shows" describes a usage snippet.
OPENING_SAMPLE = re.compile(
    r"(?i)^(this|the) (example|sample|demo)\b[^.]{0,40}?\b(is|implements|shows|demonstrates|illustrates|uses)\b"
    r"|^(this|it) is an? (\w+ ){0,2}(example|sample|demo)\b"
)
# Likewise only in the opening paragraph: a repository of tutorials (a library's README may point to its own
# tutorials further down).
OPENING_TEACHING = re.compile(r"(?i)\b(repository|repo|collection)\b[^.]{0,60}?\btutorials\b")
TEACHING_TITLE = re.compile(
    r"(?i)\b(cookbooks?|tutorials?|course|workshop|lessons?|exercises|bootcamp|book|handbook|"
    r"notebooks, \d|learning|portfolio)\b"
)
TEACHING_INTRO = re.compile(
    r"(?i)\bin this (course|tutorial|workshop|lesson|book)\b|^#+\s*lessons\b|\bcookbooks?\b"
    r"|\b(companion|accompan\w+|solutions?)\b[^.]{0,60}\bbook\b|\bexercises\b[^.]{0,40}\b(book|chapter|course)\b"
    r"|\b(a|my|personal) (learning|portfolio|student|practice|hobby) project\b|\b(portfolio|student) project\b"
    r"|\bmy first\b|\bprimeiro projeto\b|\bcode (examples|snippets)\b"
)
HTML_TAG = re.compile(r"<[^>]*>|&nbsp;")
HTML_HEADING_OPEN = re.compile(r"(?i)<h[1-6]\b")
HTML_HEADING_CLOSE = re.compile(r"(?i)</h[1-6]\s*>")
FRONT_MATTER_SAMPLE = re.compile(r"(?m)^page_type:\s*sample\s*$")
PLACEHOLDER = re.compile(r"\bFIXME\b|<your[-_][a-z0-9_-]{1,40}>|\{\{\s*cookiecutter\.")
CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".cfg", ".ini")
SKELETON_MIN_PLACEHOLDERS = 3
SKELETON_MIN_SHARE = 0.25  # of the repo's config files: a few placeholders in a big project are not a skeleton


def root_readme(index: RepoIndex) -> str | None:
    return next((name for name in README_NAMES if index.has(name)), None)


def _intro(text: str) -> list[tuple[int, str]]:
    """(line number, text) of the opening prose lines: front matter, code fences, comments, images and
    badges skipped. HTML lines count by their text, and the text of an HTML heading (`<h1>`, often
    centred over several lines) counts as a Markdown heading."""
    lines: list[tuple[int, str]] = []
    fenced = commented = heading = False
    for number, raw in enumerate(text.splitlines()[:400], 1):
        line = raw.strip()[:LINE_CAP]
        if line.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if commented or line.startswith("<!--"):
            commented = "-->" not in line
            continue
        if fenced or not line or line.startswith(("[![", "![", "---", "===")):
            continue
        if line.startswith("<") or heading:
            heading = heading or bool(HTML_HEADING_OPEN.search(line))
            words = " ".join(HTML_TAG.sub(" ", line).split())
            if heading and words:
                words = f"# {words}"
            heading = heading and not HTML_HEADING_CLOSE.search(line)
            if not words:
                continue
            line = words
        lines.append((number, line))
        if len(lines) >= INTRO_LINES:
            break
    return lines


def _title(lines: list[tuple[int, str]]) -> tuple[int, str] | None:
    """The first top-level heading (a `## Notice` above it is not the title), else the first heading."""
    headings = [(n, line) for n, line in lines if line.startswith("#")]
    top = [(n, line) for n, line in headings if line.startswith("# ")]
    if top or headings:
        number, line = (top or headings)[0]
        return number, line.lstrip("#").strip()
    return lines[0] if lines else None


def readme_markers(index: RepoIndex, path: str) -> tuple[list[Location], list[Location]]:
    text = index.text(path) or ""
    sample: list[Location] = []
    teaching: list[Location] = []
    front = FRONT_MATTER_SAMPLE.search(text[:2000])
    if text.startswith("---") and front:
        sample.append(index.location(path, text.count("\n", 0, front.start()) + 1, "page_type: sample"))
    lines = _intro(text)
    title = _title(lines)
    if title and SAMPLE_TITLE.search(title[1]):
        sample.append(index.location(path, title[0], title[1]))
    if title and TEACHING_TITLE.search(title[1]):
        teaching.append(index.location(path, title[0], title[1]))
    for number, line in _opening(lines, title):
        if OPENING_SAMPLE.search(line):
            sample.append(index.location(path, number, line))
        if OPENING_TEACHING.search(line):
            teaching.append(index.location(path, number, line))
    for number, line in lines:
        if SAMPLE_INTRO.search(line):
            sample.append(index.location(path, number, line))
        if TEACHING_INTRO.search(line):
            teaching.append(index.location(path, number, line))
    return _one_per_line(sample), _one_per_line(teaching)


def _opening(lines: list[tuple[int, str]], title: tuple[int, str] | None) -> list[tuple[int, str]]:
    """The prose between the title and the next heading: where a README says what the repository is."""
    after = [(n, line) for n, line in lines if title is None or n > title[0]]
    end = next((i for i, (_, line) in enumerate(after) if line.startswith("#")), len(after))
    return after[:end]


def _one_per_line(locations: list[Location]) -> list[Location]:
    return list({(loc.path, loc.line): loc for loc in locations}.values())


def manifest_markers(index: RepoIndex) -> list[Location]:
    found = []
    for name in ("azure.yaml", "azure.yml"):
        data = index.yaml_data(name) if index.has(name) else None
        if isinstance(data, dict) and isinstance(data.get("metadata"), dict) and data["metadata"].get("template"):
            found.append(index.location(name, None, f"azd template {data['metadata']['template']}"))
    for name in ("cookiecutter.json", "copier.yml", "copier.yaml"):
        if index.has(name):
            found.append(index.location(name, 1, "project template at the root"))
    return found


def skeleton_placeholders(index: RepoIndex) -> list[Location]:
    """Config lines left as placeholders (FIXME, <your-...>, unrendered cookiecutter variables), when
    enough of the repo's config files hold them to call the repo a skeleton; otherwise none."""
    found = []
    configs = index.by_suffix(*CONFIG_SUFFIXES)
    holed = 0
    for path in configs:
        text = index.text(path) or ""
        if "FIXME" not in text and "<your" not in text and "cookiecutter." not in text:
            continue
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if PLACEHOLDER.search(line[:LINE_CAP])]
        holed += bool(lines)
        found += [index.location(path, n, line.strip()[:120]) for n, line in lines]
    if len(found) < SKELETON_MIN_PLACEHOLDERS or holed < SKELETON_MIN_SHARE * len(configs):
        return []
    return found


@probe(
    "repo.sample_markers",
    summary="The repo presents itself as a template, sample or demo, or as teaching material or a placeholder "
    "skeleton (README title and opening lines, sample front matter, azd/cookiecutter templates, FIXME configs)",
    emits=(SAMPLE, TEACHING),
    remediation="Nothing to fix in a real project; if a team's own repo is misread as a sample, attest the "
    "ceiling criterion it blocks (attestations.yaml).",
    evidence=("file",),
)
def sample_markers(views: Views) -> list[Finding]:
    index = views.repo
    assert index is not None
    readme = root_readme(index)
    sample, teaching = readme_markers(index, readme) if readme else ([], [])
    sample += manifest_markers(index)
    holes = skeleton_placeholders(index)
    skeleton = bool(holes)
    teaching += holes
    out = []
    if sample:
        out.append(hit(views, SAMPLE, sample, "The repository presents itself as a template, sample or demo"))
    else:
        out.append(miss(views, SAMPLE, "No sign that the repository is a template, sample or demo"))
    if teaching:
        what = "placeholder skeleton" if skeleton else "teaching material"
        out.append(hit(views, TEACHING, teaching, f"The repository is {what}", values={"skeleton": skeleton}))
    else:
        out.append(miss(views, TEACHING, "No sign of teaching material or a placeholder skeleton"))
    return out
