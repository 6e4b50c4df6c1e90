"""One way to show a time: only ``domain/timetext.py`` turns an instant into words for
people. This reads the source of every other module and fails on what formats a time for
display there:

* ``strftime``, ``ctime``, ``asctime`` or ``tzname`` calls (``time.strftime`` too);
* a ``%`` format spec in an f-string (``f"{moment:%Y-%m-%d}"``), in ``format()`` or in a
  ``"{:%H:%M}".format(...)`` template;
* ``isoformat()`` inside text for people: an f-string, a ``+`` or ``%`` with a string,
  ``"...".join(...)`` or ``"...".format(...)``; as a value in a dict, a list or a call it
  is a machine format (JSON, CSV, audit details) and allowed;
* a field or variable named like an instant (``*_at``, ``*_until``) put into an f-string
  as it is (its ``str()`` is an ISO text for machines).

A short allow-list names the machine formats (file names, the storage format); anything
new there has to say why. The scanner is itself tested on examples, so that it cannot pass
whatever the code does.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "detainer_desk"
THE_MODULE = "domain/timetext.py"

# (module, function): machine formats, never shown to people as a time.
ALLOWED: dict[tuple[str, str], str] = {
    ("adapters/db/derived_scan.py", "utc_text"): "the storage format of every instant (UTC)",
    ("adapters/db/backups.py", "backup_name"): "backup file names sort by their UTC instant",
    ("services/evidence_model.py", "file_stem"): "checkpoint file names, by their UTC instant",
    ("services/evidence_model.py", "qr_text"): "the checkpoint's QR payload (machine-read)",
    ("adapters/pdf/layout.py", "pdf_creation_date"): "the PDF file's CreationDate metadata",
    ("gui/intake/drafts.py", "set_aside"): "the name of a damaged draft set aside (UTC)",
    ("gui/intake/entry.py", "normalise_instant"): "a typed time in the request file's own "
    "form (contract section 1), put back into the field, not a time shown",
}

_CALLS = {"strftime", "ctime", "asctime", "tzname"}
# Calls whose arguments are shown or printed for people: text, whatever is inside.
_DISPLAY = {
    "setText",
    "setPlainText",
    "setHtml",
    "setToolTip",
    "setWindowTitle",
    "setAccessibleDescription",
    "show_note",
    "show_error",
    "show_message",
    "showMessage",
    "write",
    "print",
    "para",
    "rich",
    "QLabel",
    "QListWidgetItem",
    "QTableWidgetItem",
    "UserError",
    "RecordError",
    "Problem",
}
_INSTANT_SUFFIXES = ("_at", "_until")


@dataclass(frozen=True)
class Finding:
    module: str
    line: int
    function: str
    what: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} ({self.function or 'module'}): {self.what}"


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _percent_spec(spec: ast.AST | None) -> bool:
    if spec is None:
        return False
    return any(isinstance(part, ast.Constant) and "%" in str(part.value) for part in ast.walk(spec))


def _named_like_an_instant(node: ast.AST) -> str | None:
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
    if isinstance(name, str) and name.endswith(_INSTANT_SUFFIXES):
        return name
    return None


class _Scanner(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.findings: list[Finding] = []
        self._functions: list[str] = []
        self._text_depth = 0  # inside text for people (f-string, str + ..., join, format)

    # -- where we are ------------------------------------------------------------------
    def _add(self, node: ast.AST, what: str) -> None:
        function = self._functions[-1] if self._functions else ""
        if (self.module, function) in ALLOWED:
            return
        self.findings.append(Finding(self.module, getattr(node, "lineno", 0), function, what))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._functions.append(node.name)
        self.generic_visit(node)
        self._functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def _in_text(self, *nodes: ast.AST) -> None:
        self._text_depth += 1
        for node in nodes:
            self.visit(node)
        self._text_depth -= 1

    def _out_of_text(self, *nodes: ast.AST) -> None:
        depth, self._text_depth = self._text_depth, 0
        for node in nodes:
            self.visit(node)
        self._text_depth = depth

    # -- text for people ---------------------------------------------------------------
    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self._in_text(*node.values)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        if _percent_spec(node.format_spec):
            self._add(node, "a % format spec in an f-string formats a time")
        name = _named_like_an_instant(node.value)
        if name and node.format_spec is None:
            self._add(node, f"'{name}' is put into text as it is (an ISO text for machines)")
        self.visit(node.value)
        if node.format_spec is not None:
            self.visit(node.format_spec)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Add | ast.Mod) and (_is_text(node.left) or _is_text(node.right)):
            self._in_text(node.left, node.right)
        else:
            self.generic_visit(node)

    # -- machine containers: a dict, a list or a call's arguments -----------------------
    def visit_Dict(self, node: ast.Dict) -> None:
        self._out_of_text(*(k for k in node.keys if k is not None), *node.values)

    def visit_List(self, node: ast.List) -> None:
        self._out_of_text(*node.elts)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in _CALLS:
            self._add(node, f"{name}() formats a time")
        if name == "isoformat" and self._text_depth:
            self._add(node, "isoformat() in text for people")
        spec = node.args[1] if len(node.args) > 1 else None
        builtin_format = name == "format" and isinstance(func, ast.Name)
        if builtin_format and spec is not None and "%" in str(getattr(spec, "value", "")):
            self._add(node, "format(x, '%...') formats a time")
        if isinstance(func, ast.Attribute) and _is_text(func.value):
            template = getattr(func.value, "value", "")
            if name == "format" and isinstance(template, str) and ":%" in template:
                self._add(node, "a '{:%...}' template formats a time")
            if name in ("join", "format"):
                self.visit(func.value)
                self._in_text(*node.args, *(k.value for k in node.keywords))
                return
        if name in _DISPLAY:
            self.visit(func)
            self._in_text(*node.args, *(k.value for k in node.keywords))
            return
        self.visit(func)
        self._out_of_text(*node.args, *(k.value for k in node.keywords))


def findings_in(source: str, module: str = "example.py") -> list[Finding]:
    scanner = _Scanner(module)
    scanner.visit(ast.parse(source))
    return scanner.findings


def _modules() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).as_posix() != THE_MODULE
    )


def test_only_the_time_module_formats_an_instant_for_people() -> None:
    modules = _modules()
    assert len(modules) > 80  # the whole package is read, not a corner of it
    found = [
        finding
        for path in modules
        for finding in findings_in(path.read_text("utf-8"), path.relative_to(PACKAGE).as_posix())
    ]
    assert not found, "times formatted outside domain/timetext.py:\n" + "\n".join(map(str, found))


def test_every_allowed_place_still_exists_and_formats_a_machine_time() -> None:
    """An allow-list entry that no longer matches anything is dead weight, and hides
    whatever later takes its name: each must still hold a call the rules catch."""
    for (module, function), _why in ALLOWED.items():
        tree = ast.parse((PACKAGE / module).read_text("utf-8"))
        bodies = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name == function
        ]
        assert bodies, f"{module}: no function {function}"
        source = ast.unparse(bodies[0])
        assert findings_in(source, "elsewhere.py"), f"{module}:{function} formats nothing"


@pytest.mark.parametrize(
    "source",
    [
        'f"{moment:%Y-%m-%d %H:%M}"',
        "moment.strftime('%H:%M')",
        "time.strftime('%H:%M')",
        "local.tzname()",
        "moment.ctime()",
        'f"received {row.received_at.isoformat()}"',
        '"at " + moment.isoformat()',
        '", ".join(d.isoformat() for d in days)',
        '"{} to {}".format(a.isoformat(), b)',
        '"{:%Y}".format(moment)',
        'format(moment, "%H:%M")',
        'f"hold until {item.hold_until}"',
        'f"recorded {recorded_at}"',
        '"%s" % moment.isoformat()',
        'print(f"{a}, {b.isoformat()}")',
        "out.write(moment.isoformat())",
        "label.setText(row.received_at.isoformat())",
        "raise RecordError(when.isoformat())",
    ],
)
def test_the_scanner_catches_a_time_formatted_for_people(source: str) -> None:
    assert findings_in(source), source


@pytest.mark.parametrize(
    "source",
    [
        '{"at": moment.isoformat()}',
        "[moment.isoformat()]",
        "json.dumps({'hold_until': h.isoformat() if h else None})",
        "Stamp(moment.isoformat(), user)",
        'f"{timetext.long_time(row.received_at, zone)}"',
        'f"{count:,} decisions at {width:>7}"',
        "dt.datetime.fromisoformat(text)",
        'f"{moment_text}"',
    ],
)
def test_the_scanner_lets_machine_formats_and_other_text_through(source: str) -> None:
    assert not findings_in(source), source


def test_an_allowed_function_is_allowed_only_in_its_own_module() -> None:
    source = "def utc_text(m):\n    return m.strftime('%Y')\n"
    assert not findings_in(source, "adapters/db/derived_scan.py")
    assert findings_in(source, "services/other.py")
