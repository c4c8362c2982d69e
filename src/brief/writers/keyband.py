"""The key-figure band's layout, shared by both writers: 1–6 boxes of equal width; every value on
one line at one size (so all values share a baseline); every label on one line, set up to one step
smaller (``SLIGHT``) to stay there, as a typesetter would; else on two lines, broken between words
(``cjkwords``) where the two halves are most even, never leaving one character alone on a line."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import wordwrap
from .cjkwords import Break

SCALES = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)  # the sizes tried, largest first
# The labels of a band are set this much smaller at most to keep each on one line (``累计培养培训干部人才``
# at 9.9 pt beside its neighbours) rather than broken on two: a shrink the eye does not notice.
SLIGHT = 0.9
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]")

Width = Callable[[str, float], float]  # text, size in pt -> width in pt


@dataclass(frozen=True)
class Band:
    value_scale: float
    label_scale: float
    labels: tuple[str, ...]  # each label with a "\n" where it breaks


def em_width(text: str, size: float) -> float:
    """A width without the fonts: 汉字 one em, the rest about half (the DOCX writer's estimate)."""
    return sum(size if _CJK.match(ch) else size * 0.55 for ch in text)


def _breaks(label: str) -> list[tuple[int, Break]]:
    """Where a label may break, and how well (between two words, or inside one; wordwrap.positions),
    never leaving a lone character on either line."""
    return [(i, kind) for i, kind in wordwrap.positions(label) if 2 <= i <= len(label) - 2]


def split_label(label: str, width: Callable[[str], float], avail: float) -> tuple[str, ...] | None:
    """The label on one line, or on two: between words if both lines then fit, as even as they can
    be; None when two lines cannot hold it."""
    if width(label) <= avail:
        return (label,)
    best: tuple[Break, float, tuple[str, ...]] | None = None
    for i, kind in _breaks(label):
        lines = (label[:i], label[i:])
        w = max(width(line) for line in lines)
        if w <= avail and (best is None or (kind, w) < best[:2]):
            best = (kind, w, lines)
    return None if best is None else best[2]


def layout(values: Sequence[str], labels: Sequence[str], avail: float, value: tuple[Width, float],
           label: tuple[Width, float]) -> Band:
    """Sizes and label breaks for a band whose boxes are ``avail`` pt wide inside; ``value`` and
    ``label``: how wide a text is in their font, and their size."""
    (value_width, value_size), (label_width, label_size) = value, label
    value_scale = next((s for s in SCALES if all(value_width(v, value_size * s) <= avail for v in values)),
                       SCALES[-1])
    for scale in (1.0, SLIGHT):  # each label on one line, if need be slightly smaller
        if all(label_width(t, label_size * scale) <= avail for t in labels):
            return Band(value_scale, scale, tuple(labels))
    for scale in SCALES:
        split = [split_label(t, lambda x, s=scale: label_width(x, label_size * s), avail) for t in labels]
        if all(lines is not None for lines in split):
            return Band(value_scale, scale, tuple("\n".join(lines or ()) for lines in split))
    # Too long for two lines even at the smallest size: the writer wraps it as it must.
    return Band(value_scale, SCALES[-1], tuple(labels))
