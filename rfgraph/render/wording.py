"""Error messages that name the option that fixes them the way the user set it: a Python
argument (``max_cells=...``) from Python, a command-line option (``--max-cells N``) from the
``rfgraph`` command, which runs its drawing inside :func:`command_line`.

>>> option("max_cells=...", "--max-cells N")
'max_cells=...'
>>> with command_line():
...     option("max_cells=...", "--max-cells N")
'--max-cells N'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_FROM_CLI: ContextVar[bool] = ContextVar("rfgraph_render_from_cli", default=False)


@contextmanager
def command_line() -> Iterator[None]:
    """Messages raised inside name command-line options."""
    token = _FROM_CLI.set(True)
    try:
        yield
    finally:
        _FROM_CLI.reset(token)


def option(python: str, cli: str) -> str:
    """``cli`` inside :func:`command_line`, else ``python``."""
    return cli if _FROM_CLI.get() else python


def already_exists(path) -> str:
    """The message for a file that would be replaced."""
    return f"{path}: already exists ({option('pass overwrite=True', 'use --force')} to replace it)"
