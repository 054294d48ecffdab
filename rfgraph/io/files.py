"""Reading input files safely: only regular files (or standard input when asked for with
``-``), never more than the size limit, checked before reading.

A FIFO would block the reader forever and a symbolic link to ``/dev/zero`` would be read
until memory runs out; a file bigger than the limit is refused from its size alone. The file
is opened without blocking (a FIFO opens at once), then examined through its descriptor, so
what is examined is what is read.

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "g.dot")
>>> with open(path, "w") as fh:
...     _ = fh.write("digraph { a -> b }")
>>> read_input(path)
b'digraph { a -> b }'
>>> read_input(os.path.dirname(path))
Traceback (most recent call last):
...
rfgraph.core.errors.ParseError: /...: is a directory, not a file
"""

from __future__ import annotations

import os
import stat
import sys

from ..core.errors import ParseError
from ..core.limits import check_bytes, current_limits, file_size_text

__all__ = ["STDIN", "check_input", "read_input"]

#: The file name that means standard input.
STDIN = "-"

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _not_regular(mode: int) -> str | None:
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return None if stat.S_ISREG(mode) else "not a regular file"


def _refuse(name: str, mode: int) -> None:
    kind = _not_regular(mode)
    if kind is not None:
        raise ParseError(f"{name}: is {kind}, not a file" if kind.startswith("a ") else f"{name}: {kind}")


def _open_error(name: str, exc: OSError) -> ParseError:
    if isinstance(exc, FileNotFoundError):
        return ParseError(f"{name}: no such file")
    return ParseError(f"{name}: cannot read the file: {exc.strerror or exc}")


def check_input(path: str | os.PathLike, limit: str = "max_file_size") -> int:
    """Check, without reading it, that ``path`` is a regular file within the size limit
    ``limit`` (a field of :class:`~rfgraph.core.limits.Limits`); returns its size. For
    readers that open the file themselves (model importers)."""
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except OSError as exc:
        raise _open_error(name, exc) from None
    _refuse(name, info.st_mode)
    return check_bytes(limit, info.st_size, f"{name}: {file_size_text(info.st_size)}")


def read_input(path: str | os.PathLike, limit: str = "max_file_size") -> bytes:
    """The bytes of ``path`` (``"-"``: standard input), refusing anything but a regular
    file and more bytes than the limit ``limit`` (a field of
    :class:`~rfgraph.core.limits.Limits`).

    Parameters
    ----------
    path : str or os.PathLike
    limit : str
        ``"max_file_size"`` for graph files, ``"max_model_size"`` for models.

    Returns
    -------
    bytes

    Raises
    ------
    ParseError
        The file does not exist, cannot be read, or is not a regular file.
    LimitError
        The file is bigger than the limit.
    """
    name = os.fspath(path)
    allowed = getattr(current_limits(), limit)
    if name == STDIN:
        data = sys.stdin.buffer.read(allowed + 1)
        if len(data) > allowed:
            check_bytes(limit, len(data), f"standard input: more than {file_size_text(allowed)}")
        return data
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _open_error(name, exc) from None
    try:
        info = os.fstat(fd)
        _refuse(name, info.st_mode)
        check_bytes(limit, info.st_size, f"{name}: {file_size_text(info.st_size)}")
        chunks, total = [], 0
        while True:  # the size may lie (files in /proc, a file still growing): count what comes
            chunk = os.read(fd, min(1 << 24, allowed + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > allowed:
                check_bytes(limit, total, f"{name}: more than {file_size_text(allowed)}")
        return b"".join(chunks)
    except OSError as exc:
        raise _open_error(name, exc) from None
    finally:
        os.close(fd)
