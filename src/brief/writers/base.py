"""The visitor shape both writers share: one ``visit_<node>`` method per node type."""

from __future__ import annotations

from typing import Any

from .. import model


def method_name(node_type: type) -> str:
    """``KeyFigures`` → ``visit_keyfigures``: the same name in every writer."""
    return "visit_" + node_type.__name__.lower()


class Visitor:
    """Dispatch by node class name; an unknown node is a programming error, not a silent skip.

    Every ``visit_<node>(node)`` takes the node alone; where its output goes is the writer's own:
    the PDF's returns flowables, the DOCX's appends to the body it holds, the glyph check's returns
    texts."""

    def visit(self, node: model.Block) -> Any:
        method = getattr(self, method_name(type(node)), None)
        if method is None:
            raise NotImplementedError(f"{type(self).__name__} has no {method_name(type(node))}")
        return method(node)
