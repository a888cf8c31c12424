"""Text bound for a terminal: nothing from a scanned repo, a server or a file name may drive the terminal.

`clean(text)` removes escape sequences (CSI `ESC [ ... final`, OSC `ESC ] ... BEL|ST`, DCS/APC/PM/SOS
strings, two-byte `ESC X`), C0 controls but newline and tab, DEL, C1 controls (U+0080-U+009F) and the
bidirectional overrides that can make a line read differently from what it holds. `clean_tree` does the
same for every string of a JSON-like document. Rich consoles made by `terminal_console` never interpret
`[markup]` or `:emoji:` in plain strings; put data in `Text` or print it with `markup=False`.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console

# ESC or the 8-bit CSI/OSC/DCS introducers, with whatever sequence body follows (strings end at BEL or ST)
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]{0,64}[ -/]{0,16}[@-~]?"  # CSI: parameters, intermediates, final byte
    r"|(?:\x1b[\]P_^X]|[\x9d\x90\x9f\x9e\x98])[^\x07\x1b\x9c]{0,4096}(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, APC, PM, SOS
    r"|\x1b[ -/]{0,4}[0-~]?"  # any other escape (nF, Fp, Fe, Fs)
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_NO_NEWLINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: object, *, newlines: bool = True) -> str:
    """`text` as a string safe to print: sequences and control characters removed (newline and tab kept
    unless `newlines` is false: then each becomes a space, for one-line messages)."""
    out = _SEQUENCE.sub("", str(text))
    if newlines:
        return _CONTROL.sub("", out)
    return _CONTROL_NO_NEWLINE.sub(lambda m: " " if m.group() in "\n\t" else "", out)


def clean_tree(value: Any) -> Any:
    """A copy of a JSON-like value (dicts, lists, strings, numbers) with every string and key cleaned."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: clean_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_tree(v) for v in value]
    return value


def terminal_console(**kwargs: Any) -> Console:
    """A rich console that never turns data into markup, emoji or highlighting."""
    kwargs.setdefault("highlight", False)
    kwargs.setdefault("emoji", False)
    return Console(**kwargs)
