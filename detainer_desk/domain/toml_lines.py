"""Find the line of a key in a TOML policy file, so every problem can name it.

``tomllib`` validates the syntax but forgets where keys were. This scanner walks the
already-valid text once and maps each key path (``hold.when[1].charge.list``, the same
spelling the validators use) to its 1-based line. It is best-effort by design: an
unusual construct only costs a line number, never a wrong decision.
"""

from __future__ import annotations

import bisect
import contextlib


class TomlLines:
    def __init__(self, text: str) -> None:
        self._text = text
        self._newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        self.lines: dict[str, int] = {}
        self._array_tables: dict[str, int] = {}
        # On a construct this scanner does not know, keep whatever was found before it.
        with contextlib.suppress(IndexError, ValueError, RecursionError):
            self._scan()

    def line_of(self, key: str) -> int | None:
        """The line of ``key``, or of its nearest recorded parent."""
        path = key
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                break
            path = path[:cut]
        return self.lines.get(path) if path else None

    # -- scanning -----------------------------------------------------------------------
    def _line(self, pos: int) -> int:
        return bisect.bisect_left(self._newlines, pos) + 1

    def _skip_space(self, pos: int, newlines: bool) -> int:
        text = self._text
        while pos < len(text):
            ch = text[pos]
            if ch in " \t\r" or (newlines and ch == "\n"):
                pos += 1
            elif ch == "#":
                while pos < len(text) and text[pos] != "\n":
                    pos += 1
            else:
                break
        return pos

    def _scan(self) -> None:
        text = self._text
        pos = 0
        table = ""
        while pos < len(text):
            pos = self._skip_space(pos, newlines=True)
            if pos >= len(text):
                return
            if text.startswith("[[", pos):
                end = text.index("]]", pos)
                name = self._dotted(text[pos + 2 : end])
                index = self._array_tables.get(name, -1) + 1
                self._array_tables[name] = index
                table = f"{name}[{index}]"
                self.lines.setdefault(table, self._line(pos))
                pos = end + 2
            elif text[pos] == "[":
                end = text.index("]", pos)
                table = self._dotted(text[pos + 1 : end])
                self.lines.setdefault(table, self._line(pos))
                pos = end + 1
            else:
                pos = self._key_value(pos, table)

    def _key_value(self, pos: int, parent: str) -> int:
        text = self._text
        eq = pos
        while text[eq] != "=":
            if text[eq] in "\"'":
                eq = self._skip_string(eq)
            else:
                eq += 1
        key = self._dotted(text[pos:eq])
        path = f"{parent}.{key}" if parent else key
        self.lines.setdefault(path, self._line(pos))
        return self._value(self._skip_space(eq + 1, newlines=False), path)

    def _value(self, pos: int, path: str) -> int:
        text = self._text
        ch = text[pos]
        if ch == "[":
            pos += 1
            index = 0
            while True:
                pos = self._skip_space(pos, newlines=True)
                if text[pos] == "]":
                    return pos + 1
                item = f"{path}[{index}]"
                self.lines.setdefault(item, self._line(pos))
                pos = self._skip_space(self._value(pos, item), newlines=True)
                if text[pos] == ",":
                    pos += 1
                index += 1
        if ch == "{":
            pos += 1
            while True:
                pos = self._skip_space(pos, newlines=True)
                if text[pos] == "}":
                    return pos + 1
                if text[pos] == ",":
                    pos += 1
                    continue
                pos = self._key_value(pos, path)
        if ch in "\"'":
            return self._skip_string(pos)
        while pos < len(text) and text[pos] not in ",]}\n#":
            pos += 1
        return pos

    def _skip_string(self, pos: int) -> int:
        text = self._text
        quote = text[pos]
        if text.startswith(quote * 3, pos):
            return text.index(quote * 3, pos + 3) + 3
        pos += 1
        while text[pos] != quote:
            pos += 2 if quote == '"' and text[pos] == "\\" else 1
        return pos + 1

    @staticmethod
    def _dotted(raw: str) -> str:
        parts = [part.strip().strip("\"'") for part in raw.split(".")]
        return ".".join(parts)
