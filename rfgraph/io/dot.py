"""A fast, strict reader and a safe writer for the Graphviz DOT language.

Only the standard library is imported here (a 600-edge file loads in a fresh process in a
few tens of milliseconds; pydot needs seconds).

Reading (:func:`parse_dot`, :func:`read_dot_file`) follows the grammar of
https://graphviz.org/doc/info/lang.html and, where the page is silent, what Graphviz itself
does (checked against Graphviz's own parser):

* Every attribute value is a ``str``: the content of the ID, without quotes. In a
  double-quoted string the only escape is ``\\"`` -> ``"``; ``\\\\`` stays two backslashes
  (but is read as a pair, so ``"a\\\\"`` is the complete string ``a\\\\``); a backslash
  followed by a newline is removed (line continuation); every other backslash stays, so
  ``"x\\ny"`` is backslash-n, not a newline. ``"a" + "b"`` is ``ab``.
* **HTML strings** keep their outer angle brackets: ``label=<<b>x</b>>`` gives
  ``'<<b>x</b>>'`` while ``label="<b>x</b>"`` gives ``'<b>x</b>'``. (A value that is itself
  ``<...>`` cannot be told from an HTML string read this way; the writer always quotes.)
* Comments (``//``, ``/* */``) and lines whose first non-blank character is ``#`` are ignored.
  Whitespace is space, tab, CR and LF only (Graphviz rejects form feeds and vertical tabs);
  any non-ASCII character is an identifier character, as in Graphviz.
* Ports (``a:p``, ``a:p:sw``) are dropped. ``a -> b -> c [k=v]`` makes two edges with the
  attributes; a subgraph operand stands for all its nodes at the end of the statement (edges
  from every node on the left to every node on the right, taking the nodes of a subgraph in the
  order they were created, as Graphviz does).
* ``node [..]``/``edge [..]`` defaults apply to nodes/edges *created* afterwards in the scope
  (a statement about an existing node or, in a strict graph, a repeated edge only applies its
  explicit attributes, as Graphviz does). A subgraph starts from its parent's defaults; a
  named subgraph that is opened again keeps its own earlier defaults and nodes.
* ``graph [..]`` and ``k=v`` at top level are graph attributes; inside subgraphs they are the
  subgraph's and are dropped.
* ``strict``: one edge per (tail, head) (per unordered pair in an undirected graph); a repeated
  edge's explicit attributes are merged into the first one.
* Strict where Graphviz merely warns or is lenient: ``3x3`` or ``1.2.3`` (a badly delimited
  number), ``;;``, ``a, b -> c`` (comma node lists), ``<x> + "y"`` and a second graph in the
  file are errors. The ``key`` edge attribute is an ordinary attribute here (Graphviz uses it
  as the edge's identity). NUL characters are rejected.

Errors are :class:`~rfgraph.core.errors.ParseError` with ``source:line:col:`` (1-based, columns in
characters).

Writing (:func:`format_dot`) emits plain statements that :func:`parse_dot`, Graphviz, pydot
and networkx all read the same way. IDs are bare only when they are ASCII identifiers (not
keywords) or numerals; everything else is double-quoted with ``"`` escaped, so it can never be
read as HTML, a keyword or a port. DOT cannot represent every string: in a quoted string, a run
of an odd number of backslashes cannot stand right before a ``"``, a newline or the end of the
string (``a\\``, ``a\\"b``), and Graphviz cannot read NUL characters. Such strings raise
:class:`DotEncodeError` (a ``ParseError`` and a ``ValueError``) instead of silently changing.
"""

from __future__ import annotations

import os
import re
from itertools import islice, product
from typing import Any

from rfgraph.core.errors import ParseError
from rfgraph.core.limits import check, current_limits
from rfgraph.core.perf import paused_gc
from rfgraph.core.raw import RawGraph
from rfgraph.io.files import STDIN, read_input
from rfgraph.io.values import value_text

__all__ = ["DotEncodeError", "format_dot", "parse_dot", "parse_dot_bytes", "quote_value", "read_dot_file"]


class DotEncodeError(ParseError, ValueError):
    """A graph cannot be written as DOT without changing it (say, a value ending in ``\\``)."""


# ---------------------------------------------------------------------------------------------
# Tokenizer: one regex; ``findall`` yields the token texts (whitespace and comments skipped),
# the last one always the empty string (end of input). Positions are only computed for errors,
# by running the same regex with ``finditer``.

_SKIP = (
    r"(?:[ \t\r]++"
    r"|\n(?:[ \t]*+\#[^\n]*+)?+"  # a newline, and a following '#' line
    r"|//[^\n]*+"
    r"|/\*[\s\S]*?\*/"
    r")*+"
)
# Where tokenizing starts: after a byte-order mark and a '#' line at the very start.
_HEAD_RE = re.compile(r"\ufeff?+(?:[ \t]*+\#[^\n]*+)?+")
_STR = r'"[^"\\]*+(?:\\[\s\S][^"\\]*+)*+"'
_HTML_DEPTH = 24


def _html_pattern(depth: int) -> str:
    inner = r"[^<>]*+"
    for _ in range(depth - 1):
        inner = r"(?:[^<>]++|<" + inner + r">)*+"
    return "<" + inner + ">"


# Identifiers: [A-Za-z_] or any non-ASCII character, then also digits. (Written as negated
# ASCII classes: classes spanning \x80-\U0010ffff take ~10 ms to compile.)
_IDENT = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f][^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*+"
_NUMERAL = r"-?+(?:\.[0-9]++|[0-9]++(?:\.[0-9]*+)?+)"
_NUMERAL_JUNK = r"[^\x00-\x2d\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*+"  # identifier chars and '.'
_TOKEN_RE = re.compile(
    _SKIP
    + "("
    + _IDENT
    + r"|->|--"
    + "|" + _NUMERAL + _NUMERAL_JUNK  # junk kept, to be reported
    + "|" + _STR + "(?:" + _SKIP + r"\+" + _SKIP + _STR + ")*+"
    + "|" + _html_pattern(_HTML_DEPTH)
    + r"|[{}\[\]=;,:+]"
    # An unterminated string, HTML string or comment takes the rest of the input (so that
    # tokenizing stays linear); the parser reports it where it starts.
    + r'|["<][\s\S]*+|/\*[\s\S]*+'
    + r"|[\s\S]|\Z)"
)
_STRING_TOKEN_RE = re.compile(_STR + "(?:" + _SKIP + r"\+" + _SKIP + _STR + ")*+")
_HTML_TOKEN_RE = re.compile(_html_pattern(_HTML_DEPTH))
# The pieces of a concatenation ``"a" /* c */ + "b"`` (a single token).
_PIECE_RE = re.compile(_SKIP + r"\+?+" + _SKIP + "(" + _STR + ")")
_NUMERAL_RE = re.compile(_NUMERAL)
_ESCAPE_RE = re.compile(r'\\[\\"\n]')
_ESCAPES = {'\\"': '"', "\\\n": "", "\\\\": "\\\\"}

_KEYWORDS = ("node", "edge", "graph", "digraph", "subgraph", "strict")
# Token text -> kind, for punctuation and every spelling of the (case-insensitive) keywords.
_KIND: dict[str, str] = {p: p for p in ("{", "}", "[", "]", "=", ";", ",", ":", "+", "->", "--")}
for _kw in _KEYWORDS:
    for _spelling in product(*((c, c.upper()) for c in _kw)):
        _KIND["".join(_spelling)] = _kw
_KIND[""] = "eof"
del _kw, _spelling


def _unquote(t: str) -> str:
    s = t[1:-1]
    if "\\" in s:
        s = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], s)
    return s


def _id_value(t: str) -> str | None:
    """The value of an ID token, or None if the token is not an ID."""
    if not t:
        return None
    c = t[0]
    if c == '"':
        if len(t) < 2:
            return None
        if "+" in t:
            pieces = _PIECE_RE.findall(t)
            if len(pieces) > 1:
                return "".join(map(_unquote, pieces))
        return _unquote(t)
    if c == "<":
        return t if len(t) > 1 else None
    if c in "-.0123456789":
        return t if _NUMERAL_RE.fullmatch(t) else None
    if t in _KIND:
        return None
    if c == "_" or c.isascii() and c.isalpha() or c >= "\x80":
        return t
    return None


# ---------------------------------------------------------------------------------------------
# Parser


class _Scope:
    __slots__ = ("ndef", "edef", "nloc", "eloc", "members", "children")

    def __init__(self, members: dict[str, None] | None) -> None:
        self.ndef: dict[str, str] = {}  # effective defaults while the scope is open
        self.edef: dict[str, str] = {}
        self.nloc: dict[str, str] = {}  # defaults set in this scope (kept for re-opening)
        self.eloc: dict[str, str] = {}
        self.members = members  # nodes of a subgraph, in first-appearance order; None: root
        self.children: dict[str, _Scope] = {}


def _describe(t: str) -> str:
    if not t:
        return "end of input"
    if len(t) > 40:
        t = t[:37] + "..."
    return repr(t)


class _Parser:
    def __init__(self, text: str, source: str | None) -> None:
        self.text = text
        self.source = source
        self.start = _HEAD_RE.match(text).end()  # type: ignore[union-attr]
        toks = self.toks = _TOKEN_RE.findall(text, self.start)
        if len(toks) > 1:  # is the last token the rest of the input, unterminated?
            t = toks[-2]
            if t[:1] == '"' and not _STRING_TOKEN_RE.fullmatch(t):
                toks[-2] = '"'
            elif t[:1] == "<" and not _HTML_TOKEN_RE.fullmatch(t):
                toks[-2] = "<"
            elif t[:2] == "/*":
                toks[-2] = "/*"
        self.ids: dict[str, str] = {}  # token text -> ID value, for tokens seen so far
        self.nodes: dict[str, dict[str, str]] = {}
        self.order: dict[str, int] = {}  # node -> creation index
        self.edges: list[tuple[str, str, None, dict[str, str]]] = []
        self.gattrs: dict[str, str] = {}
        self.strict = False
        self.directed = True
        self.eop = "->"
        self.seen: dict[tuple[str, str], dict[str, str]] = {}  # strict graphs: edge -> attrs
        self.limits = current_limits()

    # -- errors --------------------------------------------------------------------------

    def position(self, i: int) -> tuple[int, int]:
        text = self.text
        m = next(islice(_TOKEN_RE.finditer(text, self.start), i, None), None)
        pos = m.start(1) if m is not None else len(text)
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        return line, col

    def error(self, i: int, expected: str) -> ParseError:
        t = self.toks[i]
        if t == '"':
            expected = 'unterminated string: expected a closing \'"\' for the string starting here'
            t = ""
        elif t == "/*":
            expected = "unterminated comment: expected '*/' for the comment starting here"
            t = ""
        elif t == "<":
            expected, deep = self._html_problem(i)
            if not deep:
                t = ""
        elif _NUMERAL_RE.match(t) and not _NUMERAL_RE.fullmatch(t):
            expected = (f"badly formed number {t!r} (quote IDs that are not plain numbers, "
                        f"as in \"{t}\"); {expected}")
        elif t == "+":
            if self.toks[i + 1] == '"':  # "a" + "unterminated...
                return self.error(i + 1, expected)
            expected += " ('+' only joins two double-quoted strings)"
        line, col = self.position(i)
        prefix = f"{self.source}:" if self.source else ""
        return ParseError(f"{prefix}{line}:{col}: {expected}, got {_describe(t)}")

    def _html_problem(self, i: int) -> tuple[str, bool]:
        m = next(islice(_TOKEN_RE.finditer(self.text, self.start), i, None))
        depth = 0
        for c in self.text[m.start(1):]:
            if c == "<":
                depth += 1
            elif c == ">":
                depth -= 1
                if depth == 0:
                    return f"HTML string nested more than {_HTML_DEPTH} levels deep", True
        return "unterminated HTML string: expected a closing '>' for the '<' here", False

    def id_at(self, i: int, expected: str) -> str:
        t = self.toks[i]
        v = _id_value(t)
        if v is None:
            raise self.error(i, expected)
        self.ids[t] = v
        return v

    # -- grammar -------------------------------------------------------------------------

    def parse(self) -> RawGraph:
        toks = self.toks
        i = 0
        kind = _KIND.get(toks[0])
        if kind == "strict":
            self.strict = True
            i = 1
            kind = _KIND.get(toks[1])
        if kind == "digraph":
            self.directed = True
            self.eop = "->"
        elif kind == "graph":
            self.directed = False
            self.eop = "--"
        elif kind == "eof" and i == 0:
            raise self.error(i, "empty input: expected 'digraph' or 'graph'")
        else:
            raise self.error(i, "expected 'digraph' or 'graph'" if self.strict
                             else "expected 'strict', 'digraph' or 'graph'")
        i += 1
        name = None
        if toks[i] != "{":
            name = self.id_at(i, "expected a graph name or '{'")
            i += 1
            if toks[i] != "{":
                raise self.error(i, "expected '{'")
        i = self.body(i + 1, _Scope(None))
        if toks[i] != "":
            raise self.error(i, "expected end of input after the graph (one graph per file)")
        return RawGraph(graph=self.gattrs, nodes=self.nodes, edges=self.edges, name=name,
                        directed=self.directed, strict=self.strict, source=self.source)

    def attrs(self, j: int) -> tuple[dict[str, str], int]:
        """Parse one or more ``[a_list]`` starting at ``toks[j] == '['``."""
        toks = self.toks
        get = self.ids.get
        a: dict[str, str] = {}
        while True:
            j += 1
            t = toks[j]
            while t != "]":
                k = get(t)
                if k is None:
                    k = self.id_at(j, "expected an attribute name or ']'")
                if toks[j + 1] != "=":
                    raise self.error(j + 1, f"expected '=' after attribute name {k!r}")
                t = toks[j + 2]
                v = get(t)
                if v is None:
                    v = self.id_at(j + 2, f"expected a value for attribute {k!r}")
                a[k] = v
                j += 3
                t = toks[j]
                if t == "," or t == ";":
                    j += 1
                    t = toks[j]
            j += 1
            if toks[j] != "[":
                return a, j

    def port(self, j: int) -> int:
        """Skip ``:ID[:ID]`` at ``toks[j] == ':'``; return the index after it."""
        toks = self.toks
        self.id_at(j + 1, "expected a port name after ':'")
        j += 2
        if toks[j] == ":":
            self.id_at(j + 1, "expected a compass point after ':'")
            j += 2
        return j

    def subgraph(self, j: int, parent: _Scope) -> tuple[dict[str, None], int]:
        """Parse a subgraph at ``toks[j]`` ('subgraph' or '{'); return its nodes and the index
        after its '}'."""
        toks = self.toks
        sub = None
        if toks[j] != "{":  # the 'subgraph' keyword
            j += 1
            if toks[j] != "{":
                name = self.id_at(j, "expected a subgraph name or '{'")
                j += 1
                if toks[j] != "{":
                    raise self.error(j, "expected '{'")
                sub = parent.children.get(name)
                if sub is None:
                    sub = parent.children[name] = _Scope({})
        if sub is None:
            sub = _Scope({})
        sub.ndef = {**parent.ndef, **sub.nloc}
        sub.edef = {**parent.edef, **sub.eloc}
        j = self.body(j + 1, sub)
        assert sub.members is not None
        if parent.members is not None:
            parent.members.update(sub.members)
        return sub.members, j

    def body(self, i: int, scope: _Scope) -> int:
        """Parse statements up to and including the '}' closing ``scope``."""
        toks = self.toks
        ids = self.ids
        nodes = self.nodes
        order = self.order
        ndef = scope.ndef
        members = scope.members
        root = members is None
        eop = self.eop
        fast = root and not self.strict
        edges = self.edges
        append = edges.append
        max_nodes, max_edges = self.limits.max_nodes, self.limits.max_edges
        while True:
            if len(nodes) > max_nodes or len(edges) > max_edges:  # one statement adds a few at most
                self.too_big(len(nodes), len(edges))
            t = toks[i]
            v = ids.get(t)
            if v is None:
                kind = _KIND.get(t)
                if kind is None:
                    v = self.id_at(i, "expected a statement or '}'")
                elif kind == "}":
                    return i + 1
                elif kind == "node" or kind == "edge" or kind == "graph":
                    if toks[i + 1] != "[":
                        raise self.error(i + 1, f"expected '[' after '{kind}'")
                    a, i = self.attrs(i + 1)
                    if kind == "node":
                        scope.nloc.update(a)
                        ndef.update(a)
                    elif kind == "edge":
                        scope.eloc.update(a)
                        scope.edef.update(a)
                    elif root:
                        self.gattrs.update(a)
                    if toks[i] == ";":
                        i += 1
                    continue
                elif kind == "subgraph" or kind == "{":
                    sub_nodes, i = self.subgraph(i, scope)
                    if toks[i] == eop:
                        i = self.edge_chain(i, sub_nodes, scope)
                    elif toks[i] in ("->", "--"):
                        raise self.error(i, self._wrong_edgeop())
                    if toks[i] == ";":
                        i += 1
                    continue
                else:
                    raise self.error(i, "expected a statement or '}'")
            # A statement starting with the ID v.
            t1 = toks[i + 1]
            if t1 == "=":
                t = toks[i + 2]
                val = ids.get(t)
                if val is None:
                    val = self.id_at(i + 2, f"expected a value for graph attribute {v!r}")
                if root:
                    self.gattrs[v] = val
                i += 3
            else:
                j = i + 1
                if t1 == ":":
                    j = self.port(j)
                    t1 = toks[j]
                if v not in nodes:
                    nodes[v] = dict(ndef) if ndef else {}
                    order[v] = len(order)
                if members is not None:
                    members[v] = None
                if t1 == eop:
                    # Fast path: ``v -> w [a_list]`` at the top level of a non-strict graph.
                    t2 = toks[j + 1]
                    w = ids.get(t2)
                    if w is None and fast:
                        w = _id_value(t2)
                        if w is not None:
                            ids[t2] = w
                    if w is not None and fast and (t2 := toks[j + 2]) != ":" and t2 != eop:
                        if w not in nodes:
                            nodes[w] = dict(ndef) if ndef else {}
                            order[w] = len(order)
                        if t2 == "[":
                            a, i = self.attrs(j + 2)
                        else:
                            if t2 == "->" or t2 == "--":
                                raise self.error(j + 2, self._wrong_edgeop())
                            a = {}
                            i = j + 2
                        edef = scope.edef
                        append((v, w, None, {**edef, **a} if edef else a))
                    else:
                        i = self.edge_chain(j, (v,), scope)
                elif t1 == "[":
                    a, i = self.attrs(j)
                    nodes[v].update(a)
                elif t1 == "->" or t1 == "--":
                    raise self.error(j, self._wrong_edgeop())
                else:
                    i = j
            if toks[i] == ";":
                i += 1

    def too_big(self, nodes: int, edges: int) -> None:
        prefix = f"{self.source}: " if self.source else ""
        if edges > self.limits.max_edges:
            check("max_edges", edges, f"{prefix}the graph has {edges} edges (or more), which")
        check("max_nodes", nodes, f"{prefix}the graph has {nodes} nodes (or more), which")

    def _wrong_edgeop(self) -> str:
        if self.directed:
            return "expected '->' in a digraph ('--' is for undirected graphs)"
        return "expected '--' in an undirected graph ('->' is for digraphs)"

    def edge_chain(self, j: int, first: Any, scope: _Scope) -> int:
        """Parse ``-> operand ... [attrs]`` at ``toks[j] == eop``; create the edges.

        ``first`` and the other operands are a tuple (a node) or the live ``members`` dict of a
        subgraph."""
        toks = self.toks
        ids = self.ids
        nodes = self.nodes
        order = self.order
        ndef = scope.ndef
        members = scope.members
        eop = self.eop
        operands = [first]
        while toks[j] == eop:
            j += 1
            t = toks[j]
            v = ids.get(t)
            if v is None:
                kind = _KIND.get(t)
                if kind == "subgraph" or kind == "{":
                    sub_nodes, j = self.subgraph(j, scope)
                    # The subgraph's nodes are taken at the end of the statement (as Graphviz
                    # does): a named subgraph may gain nodes in a later operand.
                    operands.append(sub_nodes)
                    continue
                v = self.id_at(j, f"expected a node or subgraph after '{eop}'")
            j += 1
            if toks[j] == ":":
                j = self.port(j)
            if v not in nodes:
                nodes[v] = dict(ndef) if ndef else {}
                order[v] = len(order)
            if members is not None:
                members[v] = None
            operands.append((v,))
        t = toks[j]
        if t == "[":
            a, j = self.attrs(j)
        else:
            if t == "->" or t == "--":
                raise self.error(j, self._wrong_edgeop())
            a = {}
        edef = scope.edef
        base = {**edef, **a} if edef else a
        fresh = True  # ``base`` not yet given to an edge
        edges = self.edges
        strict = self.strict
        seen = self.seen
        directed = self.directed
        if any(type(o) is dict for o in operands):
            # A subgraph's nodes, in the order they were created (as Graphviz: this decides
            # which orientation of an undirected strict edge is kept).
            key = order.__getitem__
            operands = [sorted(o, key=key) if type(o) is dict else o for o in operands]
        tails = operands[0]
        made = sum(len(a) * len(b) for a, b in zip(operands, islice(operands, 1, None)))
        if len(edges) + made > self.limits.max_edges:  # {a1 ... a1000} -> {b1 ... b1000}: a million
            self.too_big(len(self.nodes), len(edges) + made)
        for heads in islice(operands, 1, None):
            for u in tails:
                for w in heads:
                    if strict:
                        e = seen.get((u, w))
                        if e is None and not directed:
                            e = seen.get((w, u))
                        if e is not None:
                            e.update(a)
                            continue
                    if fresh:
                        attrs = base
                        fresh = False
                    else:
                        attrs = base.copy()
                    if strict:
                        seen[(u, w)] = attrs
                    edges.append((u, w, None, attrs))
            tails = heads
        return j


def parse_dot(text: str, source: str | None = None) -> RawGraph:
    """Parse one graph in the DOT language. ``source`` (a file name) prefixes error messages.

    Raises :class:`~rfgraph.core.errors.ParseError` for anything that is not a single valid graph.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_dot expects str, not {type(text).__name__}")
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        prefix = f"{source}:" if source else ""
        raise ParseError(f"{prefix}{line}:{col}: expected DOT text, got a NUL character")
    # The parse allocates millions of small containers and frees none: the cyclic garbage
    # collector would only rescan them (about a third of the time on big files).
    with paused_gc():
        try:
            return _Parser(text, source).parse()
        except RecursionError:
            prefix = f"{source}: " if source else ""
            raise ParseError(f"{prefix}subgraphs nested too deeply") from None


def read_dot_file(path: str | os.PathLike[str]) -> RawGraph:
    """Read and parse a DOT file (UTF-8, with or without a byte-order mark); ``"-"`` reads
    standard input. Only regular files within the size limit are read (see
    :mod:`rfgraph.io.files`)."""
    name = os.fspath(path)
    return parse_dot_bytes(read_input(name), "<stdin>" if name == STDIN else name)


def parse_dot_bytes(data: bytes, name: str | None = None) -> RawGraph:
    """Decode UTF-8 (an error names the line and column of a bad byte) and parse."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        data, start = e.object, e.start  # (after the byte-order mark, if any)
        line = data.count(b"\n", 0, start) + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        col = len(data[line_start:start].decode("utf-8", "replace")) + 1
        prefix = f"{name}:" if name else ""
        raise ParseError(
            f"{prefix}{line}:{col}: not valid UTF-8 (byte 0x{data[start]:02x}); "
            "DOT files must be UTF-8"
        ) from None
    return parse_dot(text, name)


# ---------------------------------------------------------------------------------------------
# Writer

_BARE_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)")
_BARE_VALUE_RE = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)")
# An odd run of backslashes right before '"', a newline or the end cannot be written.
_UNWRITABLE_RE = re.compile(r'(?<!\\)(?:\\\\)*\\(?=["\n]|\Z)|[\x00\ud800-\udfff]')


def _as_str(x: Any) -> str:
    """A name as text (``str()``; booleans as ``true``/``false``)."""
    if isinstance(x, str):
        return x
    if isinstance(x, bool):
        return "true" if x else "false"
    return str(x)


def quote_value(x: Any) -> str:
    """An attribute value as DOT: bare when a plain identifier or number, else a quoted
    string that can never be read as HTML, a keyword or a port (:class:`DotEncodeError` for
    the strings DOT cannot hold)."""
    return _quote(x, _BARE_VALUE_RE, "attribute value")


def _quote(x: Any, bare_re: re.Pattern[str] = _BARE_NAME_RE, what: str = "ID") -> str:
    s = value_text(x) if bare_re is _BARE_VALUE_RE else _as_str(x)
    if bare_re.fullmatch(s) and s.lower() not in _KEYWORDS:
        return s
    m = _UNWRITABLE_RE.search(s)
    if m:
        if m.group().startswith("\\"):
            why = ("it has an odd number of backslashes right before a quote, a newline or the "
                   "end, which DOT reads as an escape")
        elif m.group() == "\x00":
            why = "it contains a NUL character, which Graphviz cannot read"
        else:
            why = "it contains a lone surrogate, which UTF-8 cannot encode"
        raise DotEncodeError(f"cannot write {what} {s!r} in DOT: {why}")
    return '"' + s.replace('"', '\\"') + '"'


def _attr_list(attrs: dict[Any, Any], cache: dict[tuple[str, str], str]) -> str:
    """``k=v, ...``; ``cache`` maps (name, value) strings to their text."""
    parts = []
    for k, v in attrs.items():
        key = (k if type(k) is str else _as_str(k), v if type(v) is str else value_text(v))
        text = cache.get(key)
        if text is None:
            text = cache[key] = (f"{_quote(key[0], what='attribute name')}="
                                 f"{_quote(key[1], _BARE_VALUE_RE, 'attribute value')}")
        parts.append(text)
    return ", ".join(parts)


def format_dot(raw: RawGraph) -> str:
    """Write ``raw`` as DOT text that :func:`parse_dot` reads back to an equal graph.

    Graph attributes are written twice, as ``graph [...]`` and as ``k=v;`` statements (which
    pydot and networkx also see). Nodes come first, in order, then the edges, each with its own
    attributes (no defaults are used). Edge keys are not written (DOT has no place for them).
    Non-string names and values are written with ``str()`` (booleans as ``true``/``false``).
    Raises :class:`DotEncodeError` for strings DOT cannot represent, and for a strict graph
    with parallel edges. (Graphviz itself takes names starting with ``%`` for its internal
    names of anonymous objects: it reads a node ``"%"`` as ``%3``.)
    """
    out = []
    cache: dict[tuple[str, str], str] = {}
    head = ("strict " if raw.strict else "") + ("digraph" if raw.directed else "graph")
    if raw.name is not None:
        head += " " + _quote(raw.name, what="graph name")
    out.append(head + " {\n")
    if raw.graph:
        out.append(f"  graph [{_attr_list(raw.graph, cache)}];\n")
        for k, v in raw.graph.items():
            out.append(f"  {_quote(k, what='attribute name')}="
                       f"{_quote(v, _BARE_VALUE_RE, 'attribute value')};\n")
    names: dict[Any, str] = {}
    for n, attrs in raw.nodes.items():
        q = names[n] = _quote(n, what="node name")
        out.append(f"  {q} [{_attr_list(attrs, cache)}];\n" if attrs else f"  {q};\n")
    op = " -> " if raw.directed else " -- "
    seen: set[tuple[Any, Any]] = set()
    for u, v, _key, attrs in raw.edges:
        if raw.strict:
            if (u, v) in seen or (not raw.directed and (v, u) in seen):
                raise DotEncodeError(
                    f"cannot write the strict graph: parallel edges {u!r} -> {v!r} would merge")
            seen.add((u, v))
        qu = names.get(u)
        if qu is None:
            qu = names[u] = _quote(u, what="node name")
        qv = names.get(v)
        if qv is None:
            qv = names[v] = _quote(v, what="node name")
        out.append(f"  {qu}{op}{qv} [{_attr_list(attrs, cache)}];\n" if attrs
                   else f"  {qu}{op}{qv};\n")
    out.append("}\n")
    return "".join(out)
