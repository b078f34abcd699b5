"""Finds every piece of SQL text in our code that is built at run time, and what is spliced into it.

A statement is fine when its text is a constant and its values travel as bound parameters. Text
built with an f-string, ``%``, ``+`` or ``str.format`` is reported as the expressions spliced in,
unless those are themselves constants of the module (names in upper case, possibly joined with
``", ".join(...)``); psycopg2's ``sql.SQL(...).format(sql.Identifier(...))`` and SQLAlchemy
constructs are safe by construction. A name used as the SQL is followed to its one assignment in
the same function (or the module) so ``query = f"..."; cur.execute(query)`` is seen through.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Splice", "scan"]

_SQL_CALLS = {"execute": 0, "executemany": 0, "copy_expert": 0, "mogrify": 0, "exec_driver_sql": 0,
              "text": 0, "execute_values": 1, "execute_batch": 1}


@dataclass(frozen=True)
class Splice:
    """One expression spliced into SQL text at ``path:line``."""

    path: str
    line: int
    expression: str


def _is_constant_name(node: ast.expr) -> bool:
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return bool(name) and name.lstrip("_").isupper()


def _assignments(scope: ast.AST) -> dict[str, list[ast.expr]]:
    found: dict[str, list[ast.expr]] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
    return found


class _Checker:
    def __init__(self, module: ast.Module) -> None:
        self._module_names = {n: v[0] for n, v in _assignments(module).items() if len(v) == 1}

    def splices(self, node: ast.expr, local: dict[str, list[ast.expr]], depth: int = 0) -> list[ast.expr]:
        """Expressions spliced into the text ``node`` evaluates to (empty: constant text)."""
        if depth > 5 or isinstance(node, ast.Constant):
            return []
        if isinstance(node, ast.Name):
            bound = local.get(node.id) or ([self._module_names[node.id]] if node.id in self._module_names else [])
            if bound and all(not self.splices(value, local, depth + 1) for value in bound):
                return []
            return [] if _is_constant_name(node) and not bound else [node]
        if isinstance(node, ast.IfExp):
            return self.splices(node.body, local, depth + 1) + self.splices(node.orelse, local, depth + 1)
        if isinstance(node, ast.JoinedStr):
            return [part.value for part in node.values
                    if isinstance(part, ast.FormattedValue) and not self._constant_piece(part.value, local)]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.splices(node.left, local, depth + 1) + self.splices(node.right, local, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            return [node.right]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            if ast.unparse(node.func.value).startswith("sql.SQL("):
                return []  # psycopg2.sql composition quotes identifiers itself
            return [arg for arg in [*node.args, *(k.value for k in node.keywords)] if not self._constant_piece(arg)]
        if isinstance(node, ast.Call):
            return []  # SQLAlchemy constructs (select, insert, text(...)) bind their values
        return [node]

    def _constant_piece(self, node: ast.expr, local: dict[str, list[ast.expr]] | None = None) -> bool:
        if isinstance(node, ast.Constant) or _is_constant_name(node):
            return True
        if isinstance(node, ast.Name) and local and node.id in local:  # a local bound only to constants
            return all(self._constant_piece(value) for value in local[node.id])
        if isinstance(node, ast.Attribute) and node.attr == "value":  # an enum member's value
            return _is_constant_name(node.value)
        if isinstance(node, ast.IfExp):
            return self._constant_piece(node.body) and self._constant_piece(node.orelse)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
                and _is_constant_name(node.func.value)):
            return all(self._constant_piece(a) for a in [*node.args, *(k.value for k in node.keywords)])
        # ", ".join(CONSTANT) or a subscript of a constant table: identifiers written in our code
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join":
            return all(_is_constant_name(arg) for arg in node.args)
        return isinstance(node, ast.Subscript) and _is_constant_name(node.value)


def scan(root: Path, base: Path) -> list[Splice]:
    """Every splice into SQL text under ``root`` (paths relative to ``base``)."""
    found: list[Splice] = []
    for path in sorted(root.rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        checker = _Checker(module)
        functions = [n for n in ast.walk(module) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        scopes = [(f, _assignments(f)) for f in functions]
        for node in ast.walk(module):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            index = _SQL_CALLS.get(name)
            if index is None or len(node.args) <= index:
                continue
            local = next((a for f, a in reversed(scopes) if f.lineno <= node.lineno <= (f.end_lineno or 0)), {})
            for spliced in checker.splices(node.args[index], local):
                found.append(Splice(str(path.relative_to(base)), node.lineno, ast.unparse(spliced)))
    return found
