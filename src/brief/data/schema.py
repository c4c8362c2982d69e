"""Field checks shared by every data file: unknown keys (with a did-you-mean), required keys, kinds."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ..errors import Problem
from .yamlfile import YList, YMap, YStr, YValue


class Checker:
    """Collects problems for one file; every check names the line the user must look at."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, line: int | None, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, line, key, message))

    def mapping(self, value: YValue | None, key: str, line: int) -> YMap | None:
        if isinstance(value, YMap):
            return value
        if value is None or (isinstance(value, YStr) and value == ""):
            return None
        self.add(getattr(value, "line", line), key, "应为“键: 值”形式的映射")
        return None

    def keys(self, m: YMap, allowed: Iterable[str], required: Iterable[str] = (), where: str = "") -> None:
        allowed = list(allowed)
        for key in m:
            if key not in allowed:
                self.add(m.key_lines[key], key, unknown_key_message(key, allowed, where))
        for key in required:
            if key not in m or (isinstance(m[key], YStr) and m[key].strip() == ""):
                line = m.key_lines.get(key, m.line)
                self.add(line, key, "缺少必填项" if key not in m else "不能为空")

    def text(self, m: YMap, key: str) -> YStr | None:
        """An optional one-line or block text value."""
        if key not in m:
            return None
        value = m[key]
        if isinstance(value, YStr):
            return value
        self.add(m.key_lines[key], key, "应为一段文字，不是列表或映射")
        return None

    def choice(self, m: YMap, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(m, key)
        if value is None or value == "":
            return default
        if value not in choices:
            self.add(value.line, key, f"“{value}”不是可选值；应为 {' 或 '.join(choices)}")
            return default
        return str(value)

    def text_list(self, m: YMap, key: str) -> list[YStr]:
        value = m.get(key)
        if value is None:
            return []
        if isinstance(value, YStr) and value == "":
            return []
        if not isinstance(value, YList):
            self.add(m.key_lines[key], key, "应为列表，例如 [shule, yingjisha]")
            return []
        out = []
        for item in value:
            if isinstance(item, YStr) and item:
                out.append(item)
            else:
                self.add(getattr(item, "line", value.line), key, "列表项应为文字")
        return out


def unknown_key_message(key: str, allowed: list[str], where: str = "") -> str:
    """Unknown key, with the closest allowed key when one is near (a typo)."""
    guess = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"；是否应为 {guess[0]}？" if guess else ""
    place = f"（{where}）" if where else ""
    return f"未知的键“{key}”{place}{hint}"
