"""Small timings that used to be asserts in the tests (a shared 2-core machine made them flaky;
correctness stays tested there). On demand, not in CI:

    PYTHONPATH=src python3 bench/micro.py

Each line: what, the median of a few runs, the target, PASS or MISS; exit 1 on a MISS.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable

REPEAT = 5


def _median(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def layout_five_pages() -> float:
    """Breaking five pages of body text into lines (widths cached), as test_cjk_linebreak did."""
    from reportlab.lib.units import mm

    from brief.fonts.pdf import role_fonts
    from brief.writers.pdf.cjk import ParaStyle, Run, break_lines

    font, size = role_fonts().name("body"), 16.0
    track = 156 * mm / 28 - size
    style = ParaStyle(leading=28.95, tracking=track, first_line_indent=2 * (size + track))
    filler = ("全县坚持以人民为中心的发展思想统筹推进各项任务落实落细持续巩固拓展脱贫攻坚成果同乡村振兴有效衔接"
              "扎实做好就业帮扶产业发展基础设施建设和公共服务提升工作群众获得感幸福感安全感不断增强") * 2
    paras = [filler[k:k + 40] + "，" + filler[:100] + "“十四五”" + filler[20:90] + "10.49亿元。" + filler[:60] + "。"
             for k in range(14)]
    runs = [[Run(p, font, size)] for p in paras]
    for r in runs:  # warm the width cache
        break_lines(r, 156 * mm, style)
    return _median(lambda: [break_lines(r, 156 * mm, style) for r in runs])


def role_fonts_memo() -> float:
    """100 calls of role_fonts() once the fonts are registered (the memo)."""
    from brief.fonts.pdf import role_fonts

    role_fonts()
    return _median(lambda: [role_fonts() for _ in range(100)])


def cached_cff_conversion() -> float:
    """Finding a converted CFF role font in the cache, as a new process does."""
    from brief import fonts
    from brief.fonts import convert

    cff = [f for f in (fonts.resolve()[r] for r in ("title", "heading", "body")) if f.cff]
    if not cff:
        return 0.0

    def again() -> None:
        convert.forget()
        fonts.convert_cff(cff[0])

    fonts.convert_cff(cff[0])
    return _median(again)


def cold_role_fonts() -> float:
    """A new process importing brief.fonts and registering the role fonts (warm disk cache)."""
    code = ("import time; t = time.perf_counter(); from brief.fonts.pdf import role_fonts; role_fonts(); "
            "print(time.perf_counter() - t)")
    return statistics.median(float(subprocess.check_output([sys.executable, "-c", code], text=True))
                             for _ in range(REPEAT))


CASES = [  # what, how, target in seconds
    ("line breaking, 5 pages of body text", layout_five_pages, 0.05),
    ("role_fonts() ×100, memoised", role_fonts_memo, 0.05),
    ("a cached CFF conversion", cached_cff_conversion, 0.2),
    ("role_fonts() in a cold process", cold_role_fonts, 0.3),
]


def main() -> int:
    missed = 0
    for what, fn, target in CASES:
        seconds = fn()
        ok = seconds < target
        missed += not ok
        print(f"{what:40s} {seconds * 1000:8.1f} ms  target < {target * 1000:.0f} ms  {'PASS' if ok else 'MISS'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
