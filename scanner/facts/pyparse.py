"""`ast.parse` that gives the same answer whatever other threads are doing.

CPython 3.11 keeps the AST constructor's recursion depth in per-interpreter state. When a thread switch
happens while a tree is being converted (a garbage collection can run Python code there), another
thread's parse resets that depth, and the first one fails with `SystemError: AST constructor recursion
depth mismatch` on a file that parses fine (python/cpython#106905). Probes run in threads, so every parse
goes through one lock: parsing holds the GIL anyway, and a file's facts no longer depend on timing.
"""

from __future__ import annotations

import ast
import threading

_PARSING = threading.Lock()


def parse_module(source: str, filename: str = "<unknown>") -> ast.Module:
    with _PARSING:
        return ast.parse(source, filename=filename)


def parse_expression(source: str) -> ast.Expression:
    with _PARSING:
        return ast.parse(source, mode="eval")
