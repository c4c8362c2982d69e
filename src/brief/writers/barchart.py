"""A bar chart laid out once, in millimetres, for both writers.

The PDF writer draws the picture as vectors, the DOCX writer paints it into a PNG (Word has no
vector format every client shows); both draw the same rectangles, rules and labels at the same
places, so the two files never show different charts. Coordinates have their origin at the top
left, y growing downwards (as in an image); a label is placed by its baseline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from .. import housestyle as hs
from ..model import Chart, Series
from . import wordwrap

# Series colours: 公文 red first, then greys and a muted blue (readable when printed grey).
COLOURS: tuple[str, ...] = ("#C00000", "#7F7F7F", "#2F5597", "#BF9000", "#404040")
GRID, AXIS, TEXT = "#D9D9D9", "#404040", "#000000"
WIDTH, HEIGHT = hs.CHART_WIDTH, hs.CHART_HEIGHT  # mm: the text block's width
MAX_BAR = 28.0  # mm: a chart of one or two categories would otherwise draw a slab 11 cm wide
TEXT_SIZE, VALUE_SIZE = 3.2, 2.8  # mm (9 pt, 8 pt)
LINE_PITCH = 1.25  # of the text size, for category names on two or three lines


@dataclass(frozen=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float
    colour: str


@dataclass(frozen=True)
class Rule:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float
    colour: str


@dataclass(frozen=True)
class Label:
    x: float
    baseline: float
    text: str
    size: float
    align: str  # left | center | right (of x)


@dataclass(frozen=True)
class Picture:
    """Drawn in this order: grid rules, bars and swatches, axes, labels."""

    width: float
    height: float
    grid: tuple[Rule, ...]
    rects: tuple[Rect, ...]
    axes: tuple[Rule, ...]
    labels: tuple[Label, ...]


class Metrics(Protocol):
    """The font the labels are set in: its extent above and below the baseline (in em) and widths."""

    ascent: float
    descent: float

    def width(self, text: str, size: float) -> float: ...


def value_label(value: float) -> str:
    """A bar label: integers without '.0', others with up to 10 significant digits."""
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"


def bar_label(s: Series, i: int) -> str:
    """The label printed on the series' ``i``-th bar: the value as the template wrote it."""
    return s.labels[i] if len(s.labels) == len(s.values) else value_label(s.values[i])


def description(chart: Chart) -> str:
    """What a screen reader says for the chart's picture (the DOCX's only form of it): the title,
    then each category with its values as printed on the bars, and the unit."""
    items = []
    for i, name in enumerate(chart.categories):
        if len(chart.series) == 1:
            items.append(f"{name} {bar_label(chart.series[0], i)}")
        else:
            items.append(f"{name}：" + "，".join(f"{s.name} {bar_label(s, i)}" for s in chart.series))
    unit = f"（单位：{chart.unit}）" if chart.unit else ""
    return f"{chart.title}：{'；'.join(items)}{unit}" if items else chart.title


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round axis steps (1, 2 or 5 × 10^k) covering low..high."""
    span = (high - low) or abs(high) or 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    return [start + i * step for i in range(int(math.ceil((high - start) / step)) + 1)]


def wrap_name(text: str, per_line: int) -> list[str]:
    """A category name on up to three lines of at most ``per_line`` characters (so neighbours never
    overlap), broken between words (wordwrap.even: 临时⏎党支部, 专题⏎培训班), else as even as they
    can be (临时党⏎支部), never 临时党支⏎部 with one character alone."""
    count = min(3, -(-len(text) // per_line)) if text else 0
    words = wordwrap.even(text, count, len, per_line)
    if words is not None:
        return list(words)
    out, start = [], 0
    for k in range(count):
        size = min(per_line, -(-(len(text) - start) // (count - k)))  # the longer lines first
        out.append(text[start:start + size])
        start += size
    return out


def layout(chart: Chart, metrics: Metrics, width: float = WIDTH, height: float = HEIGHT) -> Picture:
    """Grouped vertical bars with a value axis, value labels, category names and (for two or more
    series) a legend at the top right; ``chart.unit`` at the top left."""
    for s in chart.series:
        if len(s.values) != len(chart.categories):
            raise ValueError(f"chart {chart.title!r}: series {s.name!r} has {len(s.values)} values "
                             f"for {len(chart.categories)} categories")
    grid: list[Rule] = []
    rects: list[Rect] = []
    labels: list[Label] = []

    def top_at(y: float, size: float) -> float:  # the baseline of text whose top is at y
        return y + metrics.ascent * size

    def bottom_at(y: float, size: float) -> float:
        return y - metrics.descent * size

    def middle_at(y: float, size: float) -> float:
        return y + (metrics.ascent - metrics.descent) / 2 * size

    values = [v for s in chart.series for v in s.values] or [0.0]
    steps = ticks(min(0.0, min(values)), max(0.0, max(values)) * 1.12)
    left, right, top, bottom = 16.0, width - 4.0, 10.0, height - 16.0

    def y_of(v: float) -> float:
        return bottom - (v - steps[0]) / ((steps[-1] - steps[0]) or 1) * (bottom - top)

    for t in steps:  # grid and value axis
        grid.append(Rule(left, y_of(t), right, y_of(t), 0.25, GRID))
        labels.append(Label(left - 1.5, middle_at(y_of(t), TEXT_SIZE), value_label(t), TEXT_SIZE, "right"))
    if chart.unit:
        labels.append(Label(left - 14.0, top_at(2.0, TEXT_SIZE), f"单位：{chart.unit}", TEXT_SIZE, "left"))
    slot = (right - left) / max(len(chart.categories), 1)
    bar = slot * 0.8 / max(len(chart.series), 1)
    inset = slot * 0.1  # from the slot's left edge to its first bar
    if bar > MAX_BAR:  # few categories: bars as wide as a 4-county chart's, centred in their slot
        bar = MAX_BAR
        inset = (slot - bar * len(chart.series)) / 2
    zero = y_of(0.0)
    per_line = max(2, int(slot * 0.92 // TEXT_SIZE))
    for i, name in enumerate(chart.categories):
        x0 = left + i * slot + inset
        for j, s in enumerate(chart.series):
            v = s.values[i]
            text = bar_label(s, i)
            xa, xb = x0 + j * bar + bar * 0.04, x0 + (j + 1) * bar - bar * 0.04
            rects.append(Rect(xa, min(zero, y_of(v)), xb, max(zero, y_of(v)), COLOURS[j % len(COLOURS)]))
            baseline = (bottom_at(y_of(v) - 0.8, VALUE_SIZE) if v >= 0 else top_at(y_of(v) + 0.8, VALUE_SIZE))
            labels.append(Label((xa + xb) / 2, baseline, text, VALUE_SIZE, "center"))
        first = top_at(bottom + 1.5, TEXT_SIZE)
        for k, part in enumerate(wrap_name(name, per_line)):
            labels.append(Label(left + (i + 0.5) * slot, first + k * LINE_PITCH * TEXT_SIZE, part, TEXT_SIZE,
                                "center"))
    axes = (Rule(left, zero, right, zero, 0.4, AXIS), Rule(left, top, left, bottom, 0.4, AXIS))
    if len(chart.series) > 1:  # legend, top right: a swatch, then the series name
        x = right
        for j, s in reversed(list(enumerate(chart.series))):
            x -= metrics.width(s.name, TEXT_SIZE) + 1.0
            labels.append(Label(x, top_at(2.0, TEXT_SIZE), s.name, TEXT_SIZE, "left"))
            x -= 5.0
            rects.append(Rect(x, 2.5, x + 3.0, 5.0, COLOURS[j % len(COLOURS)]))
            x -= 3.0
    return Picture(width, height, tuple(grid), tuple(rects), axes, tuple(labels))
