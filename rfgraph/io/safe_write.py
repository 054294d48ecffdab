"""Writing files safely: where the user asked, never over an existing file unless told to,
never half-written (write to a temporary file in the same folder, then rename).

A stream of rows (:func:`streaming`) is written to ``FILE.partial`` as the rows come and
renamed to ``FILE`` when it is complete; if the run stops early, ``FILE.partial`` keeps every
row written so far, and ``FILE`` (new, or the one ``overwrite`` would have replaced) is left
as it was.

"Existing" includes a symbolic link, even one that points nowhere: without ``overwrite``
it is refused like a file. With ``overwrite`` the link itself is replaced by the new file
(the file it pointed to is left alone), and only regular files and links are ever replaced
(never a device, a FIFO or a directory).

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> os.symlink(os.path.join(folder, "nowhere"), os.path.join(folder, "link.dot"))
>>> write_text(os.path.join(folder, "link.dot"), "digraph {}")
Traceback (most recent call last):
...
rfgraph.core.errors.OutputExistsError: /.../link.dot: already exists (pass overwrite=True to replace it)
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from ..core.errors import OutputExistsError, RFGraphError, worded

__all__ = ["partial_path", "streaming", "write_bytes", "write_text"]


def _check_target(path: str | os.PathLike, overwrite: bool) -> Path:
    """The target as a Path; an error for a directory, a missing folder, a special file, or
    an existing file or link (dangling ones included) without ``overwrite``."""
    target = Path(path)
    try:
        info = os.lstat(target)  # the name itself: a symbolic link is not followed
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise RFGraphError(f"{target}: cannot write: {exc.strerror or exc}") from None
    if info is not None and stat.S_ISDIR(info.st_mode) or info is None and target.is_dir():
        raise RFGraphError(f"{target}: is a directory, not a file name")
    if info is not None:
        if not overwrite:
            raise OutputExistsError(target)
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
            raise RFGraphError(f"{target}: is not a regular file (a device, FIFO or socket): refusing to replace it")
    if not target.parent.is_dir():
        raise RFGraphError(f"{target}: the folder {target.parent} does not exist")
    return target


def _normal_permissions(path: str | os.PathLike) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def write_bytes(path: str | os.PathLike, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically; refuse to replace an existing file (or link)
    unless ``overwrite``. Returns the path written.

    Raises
    ------
    OutputExistsError
        ``path`` exists (a file or a symbolic link, even a dangling one) and not ``overwrite``.
    RFGraphError
        ``path`` is a directory or a special file, its folder does not exist, or writing failed
        (permissions, a full disk).
    """
    target = _check_target(path, overwrite)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        _normal_permissions(tmp)  # mkstemp makes 0600; give the file normal permissions
        if not overwrite and os.path.lexists(target):  # appeared meanwhile
            raise OutputExistsError(target)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise RFGraphError(f"{target}: cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp is not None and os.path.lexists(tmp):
            os.unlink(tmp)
    return target


def write_text(path: str | os.PathLike, text: str, *, overwrite: bool = False) -> Path:
    """:func:`write_bytes` for UTF-8 text."""
    return write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


def partial_path(path: str | os.PathLike) -> Path:
    """Where :func:`streaming` writes ``path`` while it is incomplete: ``path.partial``."""
    target = Path(path)
    return target.with_name(target.name + ".partial")


@contextmanager
def streaming(path: str | os.PathLike, *, overwrite: bool = False) -> Iterator[TextIO]:
    """A text file to write a stream of rows to ``path`` safely.

    Rows go to ``path.partial`` (see :func:`partial_path`); when the ``with`` block ends
    normally it becomes ``path``, atomically. When it ends with an exception (an interrupted
    run), ``path.partial`` stays with every row written so far and ``path`` is untouched. An
    existing ``path`` or ``path.partial`` (an earlier interrupted run) is an error unless
    ``overwrite``.

    Examples
    --------
    >>> import tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "rows.jsonl")
    >>> with streaming(out) as fh:
    ...     _ = fh.write('{"name": "a"}\\n')
    >>> open(out).read(), os.path.exists(out + ".partial")
    ('{"name": "a"}\\n', False)
    """
    target = _check_target(path, overwrite)
    partial = partial_path(target)
    if partial.exists() and not overwrite:
        raise RFGraphError(**worded(f"{partial}: already exists (left by an interrupted run?): remove it, or "
                                    "{fix} to replace it", fix=("pass overwrite=True", "use --force")))
    try:
        fh = open(partial, "w" if overwrite else "x", encoding="utf-8", newline="")
    except OSError as exc:
        raise RFGraphError(f"{partial}: cannot write: {exc.strerror or exc}") from None
    with fh:
        yield fh
    _normal_permissions(partial)
    _publish(partial, target, overwrite)


def _publish(partial: Path, target: Path, overwrite: bool) -> None:
    """Rename the finished ``partial`` to ``target``; without ``overwrite``, never over a file
    that appeared meanwhile (a hard link fails if the name is taken, a rename would not)."""
    if overwrite:
        os.replace(partial, target)
        return
    try:
        os.link(partial, target)
    except FileExistsError:
        raise RFGraphError(f"{target}: appeared while the rows were written; they are in {partial}") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        if target.exists():  # a file system without hard links: check, then rename
            raise RFGraphError(f"{target}: appeared while the rows were written; they are in {partial}") from None
        os.replace(partial, target)
        return
    os.unlink(partial)
