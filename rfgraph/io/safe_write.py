"""Writing files safely: where the user asked, never over an existing file unless told to,
never half-written (write to a temporary file in the same folder, then rename).

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

import os
import stat
from pathlib import Path

from ..core.errors import OutputExistsError, RFGraphError

__all__ = ["write_bytes", "write_text"]


def _check_target(target: Path, overwrite: bool) -> None:
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
    target = Path(path)
    _check_target(target, overwrite)
    import tempfile

    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file normal permissions
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
