"""A Chart node as a bar-chart PNG, for the DOCX writer only (the PDF writer draws vectors).

Deterministic: an Agg canvas (no pyplot, no global backend change), fixed size and dpi, no
``Software`` text chunk, so the same chart gives the same bytes (for one matplotlib version).
Results are cached per process.
"""

from __future__ import annotations

import functools
import io

from brief.errors import BriefError
from brief.model import Chart

DPI = 200
# Chinese-capable families, best first; each must cover GB2312 (chinese-typography.md §2).
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
    "AR PL UKai CN",
    "LXGW WenKai",
)
# Series colours: 公文 red first, then greys and a muted blue (readable when printed grey).
COLOURS: tuple[str, ...] = ("#C00000", "#7F7F7F", "#2F5597", "#BF9000", "#404040")


@functools.cache
def cjk_family() -> str:
    """The first installed family of CJK_FAMILIES, as matplotlib's font manager names it."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    raise BriefError(
        "no Chinese font for charts: install one of "
        + ", ".join(CJK_FAMILIES)
        + " (e.g. apt-get install fonts-noto-cjk)"
    )


def _label(value: float) -> str:
    """A bar label: integers without '.0', others with up to 10 significant digits."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.10g}"


@functools.lru_cache(maxsize=64)
def chart_png(chart: Chart, *, width_mm: float = 156.0, height_mm: float = 80.0) -> bytes:
    """PNG bytes of ``chart`` as grouped vertical bars, ``width_mm`` × ``height_mm`` at DPI."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    for s in chart.series:
        if len(s.values) != len(chart.categories):
            raise ValueError(
                f"chart {chart.title!r}: series {s.name!r} has {len(s.values)} values "
                f"for {len(chart.categories)} categories"
            )
    rc = {
        "font.family": [cjk_family()],
        "font.size": 9,
        "axes.unicode_minus": False,
        "svg.hashsalt": "brief",
        "path.simplify": True,
    }
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(width_mm / 25.4, height_mm / 25.4), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        n = max(len(chart.series), 1)
        width = 0.8 / n
        xs = range(len(chart.categories))
        for i, s in enumerate(chart.series):
            offset = (i - (n - 1) / 2) * width
            bars = ax.bar(
                [x + offset for x in xs],
                s.values,
                width=width * 0.92,
                color=COLOURS[i % len(COLOURS)],
                label=s.name,
                zorder=2,
            )
            ax.bar_label(bars, labels=[_label(v) for v in s.values], padding=2, fontsize=8)
        ax.set_xticks(list(xs), list(chart.categories))
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#D9D9D9", linewidth=0.6, zorder=0)
        ax.margins(y=0.15)
        if chart.unit:
            ax.set_title(f"单位：{chart.unit}", loc="left", fontsize=9)
        if len(chart.series) > 1:
            ax.legend(frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=len(chart.series), fontsize=8)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()
