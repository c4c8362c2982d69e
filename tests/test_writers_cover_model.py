"""Every node type of the document tree has a method in every writer (no format silently drops one)."""

from __future__ import annotations

import pytest

from brief import model
from brief.writers.base import method_name
from brief.writers.docx import DocxWriter
from brief.writers.pdf import PdfWriter


@pytest.mark.parametrize("writer", [PdfWriter, DocxWriter])
@pytest.mark.parametrize("node_type", model.BLOCK_TYPES)
def test_writer_handles_node_type(writer: type, node_type: type) -> None:
    assert callable(getattr(writer, method_name(node_type), None)), f"{writer.__name__} lacks {node_type.__name__}"


def test_block_types_match_the_union() -> None:
    assert set(model.BLOCK_TYPES) == set(model.Block.__args__)
