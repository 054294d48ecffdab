"""Writing files safely: where the user asked, never over an existing file unless told to,
never half-written (write to a temporary file in the same folder, then rename)."""

from __future__ import annotations

import os
from pathlib import Path

from ..core.errors import RFGraphError, already_exists


def write_bytes(path: str | os.PathLike, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically; refuse to replace an existing file unless
    ``overwrite``. Returns the path written."""
    target = Path(path)
    if target.is_dir():
        raise RFGraphError(f"{target}: is a directory, not a file name")
    if not target.parent.is_dir():
        raise RFGraphError(f"{target}: the folder {target.parent} does not exist")
    if target.exists() and not overwrite:
        raise already_exists(target)
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file normal permissions
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def write_text(path: str | os.PathLike, text: str, *, overwrite: bool = False) -> Path:
    """:func:`write_bytes` for UTF-8 text."""
    return write_bytes(path, text.encode("utf-8"), overwrite=overwrite)
