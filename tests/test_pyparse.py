"""Parsing Python gives the same answer whatever other threads do (python/cpython#106905): without the
lock, a garbage collection that switches threads while one tree is converted makes that parse fail with
`SystemError: AST constructor recursion depth mismatch` on a valid file, and a probe reports `error`."""

from __future__ import annotations

import ast
import gc
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scanner.facts.pyparse import parse_expression, parse_module

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "\n".join(
    f"def f{i}(x):\n    return [{{'a': (x, [y for y in range({i})])}} for _ in range(3)]\n" for i in range(200)
)


@pytest.fixture
def thread_switch_in_every_collection() -> Iterator[None]:
    """Collections run often and hand the GIL to another thread, as a busy scan does now and then."""

    def switch(phase: str, info: dict[str, int]) -> None:
        time.sleep(0)

    threshold = gc.get_threshold()
    gc.callbacks.append(switch)
    gc.set_threshold(50)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(switch)


def _at_depth(depth: int, call: Callable[[], object]) -> object:
    return call() if depth == 0 else _at_depth(depth - 1, call)


def test_threads_parsing_at_once_all_succeed(thread_switch_in_every_collection: None) -> None:
    errors: list[BaseException] = []

    def parse_often(depth: int) -> None:
        for _ in range(20):
            try:
                _at_depth(depth, lambda: parse_module(SOURCE))
            except Exception as exc:  # any failure is the bug
                errors.append(exc)
                return

    threads = [threading.Thread(target=parse_often, args=(depth,)) for depth in (5, 40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_parse_helpers_return_the_trees_ast_does() -> None:
    assert ast.dump(parse_module("x = f(1)\n")) == ast.dump(ast.parse("x = f(1)\n"))
    assert isinstance(parse_expression("f(a=1)").body, ast.Call)
    with pytest.raises(SyntaxError):
        parse_module("def (:\n", "broken.py")


def test_no_code_parses_python_around_the_lock() -> None:
    direct = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("scanner", "probes")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "pyparse.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "ast.parse(" in line
    ]
    assert direct == [], "parse through scanner.facts.pyparse, which holds the lock"
