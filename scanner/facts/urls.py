"""URLs as they may be shown and compared: credentials removed (`redact`, `clean_url`), the browsable
https form of a git remote (`web_url`) and a repository's identity across URL forms (`repo_key`).
Pure string functions, no I/O: collectors, linkage and probes share them."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# userinfo runs to the LAST `@` before the path: a password may hold an unencoded `@`
_USERINFO = re.compile(r"(?<=://)[^/\s]*@")  # to the last @ before the path (passwords may hold @ and quotes)
_TOKENISH = re.compile(r"(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,})")
_QUERY_PARAM = re.compile(r"([?&;]([A-Za-z0-9_.-]{1,64})=)([^&#\s'\"<>]*)")
_SECRET_WORDS = frozenset(
    "token secret password passwd pwd pass key apikey sig signature auth authorization credential"
    " credentials session sessionid code".split()
)


def _hide_param(m: re.Match[str]) -> str:
    """`?access_token=X` -> `?access_token=***` (a parameter named like a secret, word by word)."""
    words = re.split(r"[_.-]", m.group(2).lower())
    return m.group(1) + "***" if m.group(3) and _SECRET_WORDS.intersection(words) else m.group(0)


def redact(text: str) -> str:
    """Remove credentials from URLs (userinfo, secret query parameters) and token-looking strings."""
    return _TOKENISH.sub("***", _QUERY_PARAM.sub(_hide_param, _USERINFO.sub("", text)))


def clean_url(url: str) -> str:
    """A URL as it may be shown: no userinfo, no query string or fragment (git URLs need neither)."""
    url = _USERINFO.sub("", url.strip())
    if "://" in url:
        url = re.split(r"[?#]", url, maxsplit=1)[0]
    return redact(url)


def repo_key(url: str) -> str:
    """A repository's identity across URL forms: `git@github.com:acme/churn.git`, `https://GitHub.com/acme/churn/`
    and `ssh://git@github.com/acme/churn` -> `github.com/acme/churn`."""
    web = web_url(url) or clean_url(url)
    key = re.sub(r"^[a-z+]+://", "", web.strip()).rstrip("/").removesuffix(".git").rstrip("/")
    return key.lower()


_SCP_LIKE = re.compile(r"^[\w.+-]+@([^:/\s]+):(?!//)(.+)$")  # git@host:org/repo.git


def web_url(url: str) -> str | None:
    """`https://HOST[:PORT]/PATH` of a remote URL (https, http, ssh, git or scp-like), without credentials,
    query, `.git` or trailing slash; None for other forms (file://, local paths)."""
    url = (url or "").strip()
    m = _SCP_LIKE.match(url)
    if m:
        host, path = m.group(1).lower(), re.split(r"[?#]", m.group(2), maxsplit=1)[0]
    else:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return None
        scheme, host = parts.scheme.lower(), (parts.hostname or "")
        if scheme not in ("http", "https", "ssh", "git", "git+ssh", "ssh+git") or not host:
            return None
        host = f"[{host}]" if ":" in host else host
        if port and scheme in ("http", "https"):
            host = f"{host}:{port}"
        path = parts.path
    path = path.strip("/").removesuffix(".git").rstrip("/")
    return f"https://{host}/{path}" if path else None
