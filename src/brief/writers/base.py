"""The visitor shape both writers share: one ``visit_<node>`` method per node type."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .. import model


def method_name(node_type: type) -> str:
    """``KeyFigures`` → ``visit_keyfigures``: the same name in every writer."""
    return "visit_" + node_type.__name__.lower()


class Visitor:
    """Dispatch by node class name; an unknown node is a programming error, not a silent skip."""

    def visit(self, node: model.Block, *args: Any) -> Any:
        method = getattr(self, method_name(type(node)), None)
        if method is None:
            raise NotImplementedError(f"{type(self).__name__} has no {method_name(type(node))}")
        return method(node, *args)


def atomic_write(path: Path, data: bytes) -> None:
    """Write beside the target under a name that never ends in .pdf/.docx, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def clean_temporaries(folder: Path) -> int:
    """Remove what a killed run left: our temporary names start with '.' and end in '.tmp'."""
    count = 0
    if folder.is_dir():
        for path in folder.rglob(".*.tmp"):
            path.unlink(missing_ok=True)
            count += 1
    return count
