"""``{{ ind.key }}`` in highlight texts: checked here, rendered later in the Jinja sandbox.

Only plain citations of catalog indicators are allowed; anything else (filters, calls, attribute
walks such as ``ind.__class__``) is refused before any template runs.
"""

from __future__ import annotations

import difflib
import re

import jinja2
from jinja2 import nodes

from .yamlfile import YStr

_ENV = jinja2.Environment(autoescape=False)
# The usual text: braces only in {{ ind.key }} (ASCII key). Anything else goes through Jinja's parser.
CITATION = re.compile(r"\{\{[ \t]*ind\.([A-Za-z][A-Za-z0-9_]*)[ \t]*\}\}")
PLAIN_TEXT = re.compile(r"(?:[^{}]|\{\{[ \t]*ind\.[A-Za-z][A-Za-z0-9_]*[ \t]*\}\})*")


def text_line(text: YStr, lineno: int) -> int:
    """The file line of a line inside a text value (block scalars start on the next line)."""
    return text.line + lineno if text.block else text.line


def check_citations(text: YStr, known: set[str], present: set[str]) -> list[tuple[int, str, str]]:
    """Problems as (line, key, message); ``known`` = catalog keys, ``present`` = keys with a value."""
    if "{" not in text:
        return []
    if PLAIN_TEXT.fullmatch(text):  # only well-formed {{ ind.key }}: no need for Jinja's parser
        out: list[tuple[int, str, str]] = []
        for m in CITATION.finditer(text):
            line = text_line(text, text.count("\n", 0, m.start()) + 1)
            out += _check_key(m.group(1), line, known, present)
        return out
    comment = text.find("{#")
    if comment >= 0:  # Jinja would drop it from the brief without a word
        return [(text_line(text, text.count("\n", 0, comment) + 1), "-",
                 "文字中不允许 {# #}（模板注释，会被整段删去）；如要原样显示，请改用全角括号｛＃ ＃｝")]
    try:
        tree = _ENV.parse(str(text))
    except jinja2.TemplateSyntaxError as exc:
        # Jinja's own message is English and about its grammar; the user needs the rule.
        return [(text_line(text, exc.lineno or 1), "text", "引用写法有误：{{ 和 }} 要成对，中间只写 ind.指标键；"
                 "例如 {{ ind.cadres_dispatched }}")]
    out: list[tuple[int, str, str]] = []
    for node in tree.body:
        if not isinstance(node, nodes.Output):
            out.append((text_line(text, node.lineno), "-", "文字中只允许 {{ ind.指标键 }} 引用，不允许 {% %} 语句"))
            continue
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                continue
            line = text_line(text, child.lineno)
            if not (
                isinstance(child, nodes.Getattr)
                and isinstance(child.node, nodes.Name)
                and child.node.name == "ind"
            ):
                general = "引用只能写作 {{ ind.指标键 }}，不能调用函数或访问其他对象"
                out.append((line, "-", _bare_name(child, known) or general))
                continue
            out += _check_key(child.attr, line, known, present)
    return out


def _bare_name(node: nodes.Node, known: set[str]) -> str | None:
    """{{ cadres_dispatched }} or {{ 开展义诊 }}: an office forgot ``ind.`` or wrote the label; say how to write it."""
    if not isinstance(node, nodes.Name):
        return None
    if node.name in known:
        return f"引用要在指标键前加 ind.：请写作 {{{{ ind.{node.name} }}}}"
    example = f"，例如 {{{{ ind.{min(known)} }}}}" if known else ""
    return f"引用要写作 {{{{ ind.指标键 }}}}，指标键是 indicators.yaml 中登记的英文键（不是指标名称）{example}"


def _check_key(key: str, line: int, known: set[str], present: set[str]) -> list[tuple[int, str, str]]:
    if key.startswith("_"):
        return [(line, key, "引用不能访问内部属性；应写作 {{ ind.指标键 }}")]
    if key not in known:
        guess = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
        hint = f"；是否应为 {guess[0]}？" if guess else ""
        return [(line, key, f"引用了未知的指标“{key}”（不在 indicators.yaml 中）{hint}")]
    if key not in present:
        return [(line, key, f"引用了指标“{key}”，但本文件 indicators 中没有它的数值")]
    return []
