"""The exception hierarchy: every error rfgraph raises on bad input is an RFGraphError.

Messages name the file, node or edge at fault and say what is wrong, so the CLI can print
them on one line.
"""

from __future__ import annotations


class RFGraphError(Exception):
    """Base class of every error rfgraph raises for bad input or an impossible request.

    ``cli`` is the same message for the command line, when the way out differs there (an
    option instead of a Python argument: ``--force`` rather than ``overwrite=True``).

    >>> err = RFGraphError("a.dot: exists (overwrite=True replaces it)", cli="a.dot: exists (--force replaces it)")
    >>> str(err), err.cli
    ('a.dot: exists (overwrite=True replaces it)', 'a.dot: exists (--force replaces it)')
    """

    def __init__(self, message: str = "", *, cli: str | None = None) -> None:
        super().__init__(message)
        self.cli = cli if cli is not None else message


class InputTypeError(RFGraphError, TypeError):
    """A Python value that is no graph rfgraph can read (not a Network, a networkx directed
    graph, a file path or a model); a TypeError too, as Python code expects.

    >>> isinstance(InputTypeError("expected a graph, got int"), TypeError)
    True
    """


class ParseError(RFGraphError):
    """A file is not valid DOT, GraphML or ONNX (syntax, encoding, structure)."""


class AttributeValueError(RFGraphError):
    """An attribute value is malformed or out of range (``k=abc``, ``s=0``, ``padding=full``)."""


class UnknownOpError(RFGraphError):
    """An edge names an operation rfgraph does not know."""


class TopologyError(RFGraphError):
    """The graph's structure forbids the request: a cycle, no path, ambiguous input/output."""


class NodeNotFoundError(RFGraphError):
    """A node named by the user does not exist in the graph."""


class ShapeError(RFGraphError):
    """Feature-map sizes are inconsistent (a merge of maps of different lengths, an empty map)."""


class UnsupportedError(RFGraphError):
    """The request is well-formed but has no single answer (say, one region size for a graph
    whose region size depends on the position)."""


class RenderError(RFGraphError):
    """No renderer can produce the requested output format, or rendering failed."""


class ModelImportError(RFGraphError):
    """A PyTorch or ONNX model cannot be converted (tracing failed, an unknown operation)."""


def worded(message: str, **options: tuple[str, str]) -> dict[str, str]:
    """The arguments of an :class:`RFGraphError` whose way out names an option: each
    ``{name}`` in ``message`` is the Python spelling in the message, the command-line
    spelling in ``cli``.

    >>> worded("too many (allow more with {fix})", fix=("max_cells=...", "--max-cells N"))
    {'message': 'too many (allow more with max_cells=...)', 'cli': 'too many (allow more with --max-cells N)'}
    >>> RFGraphError(**worded("{fix}", fix=("a", "b"))).cli
    'b'
    """
    return {"message": message.format(**{k: v[0] for k, v in options.items()}),
            "cli": message.format(**{k: v[1] for k, v in options.items()})}


class LimitError(RFGraphError):
    """An input or a request goes beyond one of the limits of :mod:`rfgraph.core.limits` (a
    map too long, a file too big, ...): refused before anything big is allocated.

    ``limit`` is the name of the :class:`~rfgraph.core.limits.Limits` field, ``value`` its value
    in force; the message says how to raise it, in Python or on the command line.
    """

    def __init__(self, what: str, limit: str, value: int, shown: str | None = None) -> None:
        self.what, self.limit, self.value = what, limit, value
        self.shown = shown if shown is not None else str(value)
        super().__init__(f"{what} exceeds the limit of {self.shown} ({limit}: rfgraph.limits({limit}=...) raises it)",
                         cli=f"{what} exceeds the limit of {self.shown} (--{limit.replace('_', '-')} raises it)")

    def __reduce__(self):  # picklable (batch workers send errors back)
        return (type(self), (self.what, self.limit, self.value, self.shown))


class OutputExistsError(RFGraphError):
    """The output file exists and replacing it was not asked for."""

    def __init__(self, path: object) -> None:
        self.path = path
        super().__init__(**worded(f"{path}: already exists ({{fix}} to replace it)",
                                  fix=("pass overwrite=True", "use --force")))

    def __reduce__(self):
        return (type(self), (self.path,))


def already_exists(path: object) -> OutputExistsError:
    """The error for a file that would be replaced."""
    return OutputExistsError(path)


def shorten(text: object, width: int = 60) -> str:
    """``repr(text)``, cut in the middle when longer than ``width`` (error messages stay one
    readable line whatever a file holds).

    >>> shorten("9" * 5000)
    "'9999999999999999999999999…(5002 characters)…9999999999999999999999999'"
    """
    try:
        shown = repr(text)
    except ValueError:  # an integer beyond Python's limit on digits converted to text
        return f"<an integer of {text.bit_length()} bits>" if isinstance(text, int) else "<unprintable value>"
    if len(shown) <= width:
        return shown
    half = (width - 8) // 2
    return f"{shown[:half]}…({len(shown)} characters)…{shown[-half:]}"


def where(source: str | None) -> str:
    """Prefix for messages: ``"file.dot: "`` or ``""`` for graphs built in code."""
    return f"{source}: " if source else ""
