"""Bounds for regex work over file content.

A line of a committed file can be a megabyte (minified JS, a generated `--set k1=v1,...` list, a base64
blob). Even a linear regex run once per match on such a line turns quadratic, so text matched line by
line is first clipped: evidence never lives past the first few KB of a line.
"""

from __future__ import annotations

MAX_LINE = 4096  # characters of one line that regexes look at


def clip_line(line: str, limit: int = MAX_LINE) -> str:
    """`line` cut to `limit` characters."""
    return line if len(line) <= limit else line[:limit]


def clip_lines(text: str, limit: int = MAX_LINE) -> str:
    """`text` with every line cut to `limit` characters; the same object when no line is longer
    (so the common case costs one pass and no copy). Line numbers are kept."""
    if len(text) <= limit or not _has_long_line(text, limit):
        return text
    return "\n".join(clip_line(line, limit) for line in text.split("\n"))


def _has_long_line(text: str, limit: int) -> bool:
    start = 0
    size = len(text)
    while start < size:
        end = text.find("\n", start)
        if end == -1:
            end = size
        if end - start > limit:
            return True
        start = end + 1
    return False
