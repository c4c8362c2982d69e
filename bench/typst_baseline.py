"""Typst as the baseline (issue 19): the same content set by Typst, measured in the same run as ours.

    python bench/typst_baseline.py                 # warm, cold and a 100-county build (~2 minutes)
    python bench/typst_baseline.py --big 1600      # also the 1,600-county targets (several minutes)

Typst comes from the ``typst`` package on PyPI (``pip install '.[bench]'``), the fastest PDF route
we know. ``markup(items)`` turns the text of our composed document (``baseline.extract``: headings,
paragraphs, tables, key figures; photos and the chart left out) into Typst markup with the same
font files (``font_paths`` to links to the files brief uses, ``ignore_system_fonts``), A4 and the
same margins, sizes and leading. Every comparison is of CPU time (``process_time`` in-process,
``getrusage`` of child processes), medians, with ours and Typst's runs alternating so both see the
same load; the ratios are what the targets hold.

1. Warm PDF: ``pdf_bytes(compose(...))`` vs ``typst.compile(...)``, alternately, N times each.
   Typst memoizes layout across compiles in one process; each of its runs gets a different issue
   number so that it pays for a fresh document, as a county of a build does.
2. PDF + DOCX (``make()``, its chart PNG drawn each time) vs Typst's PDF.
3. A synthetic --counties build (``brief build --jobs J``: both formats and the summary) vs Typst
   making the same counties' PDFs on J processes (one ``python`` with a pool of J, fonts loaded once
   per process).
4. Cold: one ``brief render`` process (both formats) vs one ``python -c "import typst; typst.compile(...)"``.
5. With --big N: a build of N counties: CPU per county against the 100-county build, peak PSS of
   the process tree, and the wall time of a no-op rebuild.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import baseline  # noqa: E402
import proctree  # noqa: E402
import synth  # noqa: E402

COUNTY, YEAR = "yingjisha", 2023
MB = 1024 * 1024

# The issue's targets: our CPU over Typst's for the same content.
T_WARM_PDF = 0.8
T_BOTH = 1.2
T_BUILD = 1.0
T_COLD = 1.5
T_BIG_MB = 600.0
T_NOOP_S = 1.0


# -- Typst markup -----------------------------------------------------------------------------------


def family(path: str, index: int = 0) -> str:
    """The family name Typst knows a font file by (typographic family first, as Typst reads it)."""
    from fontTools.ttLib import TTCollection, TTFont

    font = TTCollection(path).fonts[index] if path.lower().endswith((".ttc", ".otc")) else TTFont(path, lazy=True)
    names = font["name"]
    for nid in (16, 1):
        name = names.getDebugName(nid)
        if name:
            return name
    raise ValueError(f"{path}: no family name")


class TypstFonts:
    """The files behind brief's PDF roles, linked into one dir for ``font_paths``, and their families."""

    def __init__(self, fonts, work: Path) -> None:
        from brief.fonts import PDF_ROLES

        self.dir = work / "typst-fonts"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.families: dict[str, str] = {}
        for role in PDF_ROLES:
            path, index = fonts.font_source(fonts.name(role))
            link = self.dir / Path(path).name
            if not link.exists():
                link.symlink_to(path)
            self.families[role] = family(path, index)

    def family(self, role: str) -> str:
        return self.families[role]


def _s(text: str) -> str:
    """A Typst string literal: inserted as plain text, nothing in it is markup."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _runs(runs: baseline.Runs, fonts: TypstFonts) -> str:
    bold = fonts.family("bold")
    return "".join(f'#text(font: "{bold}")[#{_s(t)}]' if b else f"#{_s(t)}" for t, b in runs)


def markup(items: list, fonts: TypstFonts, number: int = 1) -> str:
    """Typst markup for ``items`` (``baseline.extract``) in brief's page geometry and styles."""
    from brief.writers.pdf.styles import BOTTOM, LEFT, PAGE, STYLES, TOP, WIDTH

    pt = lambda v: f"{v:.2f}pt"  # noqa: E731
    out = [
        f"#set page(width: {pt(PAGE[0])}, height: {pt(PAGE[1])}, margin: (left: {pt(LEFT)}, "
        f"right: {pt(PAGE[0] - LEFT - WIDTH)}, top: {pt(TOP)}, bottom: {pt(BOTTOM)}), "
        'numbering: "- 1 -")',
        # Line boxes one em tall, so that a par's leading of (leading - size) gives brief's line pitch.
        '#set text(lang: "zh", region: "cn", top-edge: 0.88em, bottom-edge: -0.12em)',
        "#set table(stroke: 0.5pt)",
        f"// issue {number}",
    ]
    for key, s in STYLES.items():  # one function per paragraph style, as brief's styles are
        align = {"justify": "left", "left": "left", "center": "center", "right": "right"}[s.align]
        out.append(
            f"#let s-{key.replace('_', '-')}(body) = block(above: {pt(s.space_before)}, below: {pt(s.space_after)})"
            f"[#set text(font: \"{fonts.family(s.font)}\", size: {pt(s.size)}, tracking: {pt(s.tracking)})\n"
            f"#set par(leading: {pt(max(s.leading - s.size, 0))}, "
            f"justify: {'true' if s.align == 'justify' else 'false'}, "
            f"first-line-indent: (amount: {pt(s.first_line_indent)}, all: true))\n"
            f"#align({align})[#body]]")
    for item in items:
        if isinstance(item, baseline.Para):
            runs = item.runs
            if item.style == "masthead_title":
                runs = ((f"{runs[0][0]}（第{number}期）", False),)
            out.append(f"#s-{item.style.replace('_', '-')}[{_runs(runs, fonts)}]")
            continue
        ncols = max(len(r) for r in item.rows)
        first = WIDTH * (0.6 if ncols <= 2 else 0.46 if ncols <= 4 else 0.24)
        widths = ", ".join([pt(first)] + [pt((WIDTH - first) / max(ncols - 1, 1))] * (ncols - 1))
        cells = []
        for r, row in enumerate(item.rows):
            style = "s-cell-head" if item.header and r == 0 else "s-cell"
            cells += [f"{style}[{_runs(cell, fonts)}]" for cell in row] + ["[]"] * (ncols - len(row))
        header = f"table.header({', '.join(cells[:ncols])}), " if item.header else ""
        body = cells[ncols:] if item.header else cells
        out.append(f"#table(columns: ({widths},), align: horizon, {header}{', '.join(body)})")
    return "\n".join(out) + "\n"


# -- measuring --------------------------------------------------------------------------------------


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def alternate(fa: Callable[[], object], fb: Callable[[], object], n: int) -> tuple[list[float], list[float]]:
    """CPU ms of ``fa`` and ``fb`` (process_time), run alternately ``n`` times each."""
    gc.collect()
    a: list[float] = []
    b: list[float] = []
    for _ in range(n):
        for fn, out in ((fa, a), (fb, b)):
            c0 = time.process_time()
            fn()
            out.append((time.process_time() - c0) * 1000.0)
    return a, b


def line(label: str, value: str) -> None:
    print(f"  {label:<50} {value}")


def section(title: str) -> None:
    try:
        one = os.getloadavg()[0]
    except OSError:
        one = float("nan")
    print(f"\n== {title}\n   [load average {one:.2f} on {os.cpu_count()} CPUs]")


class Counter:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def warm(args: argparse.Namespace, work: Path, results: dict) -> TypstFonts:
    import typst

    from brief.compose.county import default_templates
    from brief.data.dataset import load_dataset
    from brief.documents import COUNTY as COUNTY_KIND
    from brief.fonts import pdf_fonts
    from brief.render import FORMATS, Target, compose, make
    from brief.writers.pdf import pdf_bytes

    fonts = pdf_fonts()
    ds = load_dataset(args.data)
    templates = default_templates()
    target = Target(COUNTY_KIND, COUNTY, YEAR)
    doc = compose(ds, target, templates)
    items = baseline.extract(doc)
    tf = TypstFonts(fonts, work)
    src = markup(items, tf)
    (work / "yingjisha.typ").write_text(src, encoding="utf-8")
    font_paths = [str(tf.dir)]
    issue = Counter()

    def typst_pdf() -> bytes:
        return typst.compile(markup(items, tf, issue.next()).encode(), font_paths=font_paths,
                             ignore_system_fonts=True)

    chart_png = getattr(__import__("brief.writers.docx.chart_png", fromlist=["chart_png"]), "chart_png", None)

    def both() -> object:
        if chart_png is not None and hasattr(chart_png, "cache_clear"):
            chart_png.cache_clear()  # each brief of a build draws its own chart
        return make(ds, target, FORMATS, templates)

    first = typst_pdf()
    mine = make(ds, target, FORMATS, templates)["pdf"]
    (work / "yingjisha-typst.pdf").write_bytes(first)
    section(f"T1. Warm, in-process: {ds.county(COUNTY, YEAR).county} {YEAR}, CPU medians of N={args.n}, alternating")
    print(f"  Typst {typst.__version__}: {len(first) // 1024} KiB, {baseline_pages(first)} pages "
          f"(text, tables, key figures; photos and chart left out; ours: {baseline_pages(mine)} pages with them)")
    print(f"  fonts: {sorted(set(tf.families.values()))}")
    ours, theirs = alternate(lambda: pdf_bytes(compose(ds, target, templates), fonts), typst_pdf, args.n)
    results["warm"] = (med(ours), med(theirs))
    line("our PDF (compose + pdf_bytes), cpu", f"{med(ours):6.1f} ms")
    line("Typst PDF (typst.compile), cpu", f"{med(theirs):6.1f} ms")
    line("ratio", f"{med(ours) / med(theirs):6.2f} x")
    compiler = typst.Compiler(font_paths=font_paths, ignore_system_fonts=True)
    reused = alternate(lambda: compiler.compile(markup(items, tf, issue.next()).encode()), lambda: None, args.n)[0]
    line("(for scale: one typst.Compiler reused, issue no. varied)", f"{med(reused):6.1f} ms: its memo "
         "relayouts only what changed")
    ours, theirs = alternate(both, typst_pdf, args.n)
    results["both"] = (med(ours), med(theirs))
    line("our PDF + DOCX (make(), chart drawn), cpu", f"{med(ours):6.1f} ms")
    line("Typst PDF, cpu", f"{med(theirs):6.1f} ms")
    line("ratio", f"{med(ours) / med(theirs):6.2f} x")
    return tf


def baseline_pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


_COMPILER: list = []  # one typst.Compiler per batch process: fonts loaded once, its memo kept


def _compile_one(job: tuple[str, str, str]) -> None:
    import typst

    src, out, fonts = job
    if not _COMPILER:
        _COMPILER.append(typst.Compiler(font_paths=[fonts], ignore_system_fonts=True))
    _COMPILER[0].compile(Path(src).read_bytes(), output=out)


def typst_batch(listing: Path, jobs: int) -> int:
    """The child side of T3: compile every .typ file the listing names, on ``jobs`` processes."""
    todo = [tuple(x) for x in json.loads(listing.read_text(encoding="utf-8"))]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for _ in pool.imap_unordered(_compile_one, todo, chunksize=4):
            pass
    return 0


def build_cmd(data: Path, out: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "brief", "build", "--data", str(data), "--out", str(out), "--jobs", str(jobs),
            "--year", str(synth.YEAR)]


def synthetic(args: argparse.Namespace, work: Path, tf: TypstFonts, counties: int, tag: str) -> tuple[Path, list]:
    """A synthetic program of ``counties`` counties, and the Typst markup of each county's brief."""
    from brief.compose.county import default_templates
    from brief.data.dataset import load_dataset
    from brief.documents import COUNTY as COUNTY_KIND
    from brief.render import Target, compose

    data = work / f"synth-{tag}"
    synth.make_program(data, counties, args.data, seed=7, previous=args.previous)
    ds = load_dataset(data)
    templates = default_templates()
    typ = work / f"typst-{tag}"
    typ.mkdir()
    jobs = []
    for i, (cid, y) in enumerate(sorted(c for c in ds.counties if c[1] == synth.YEAR)):
        path = typ / f"{cid}.typ"
        path.write_text(markup(baseline.extract(compose(ds, Target(COUNTY_KIND, cid, y), templates)), tf, i + 1),
                        encoding="utf-8")
        jobs.append((str(path), str(typ / f"{cid}.pdf"), str(tf.dir)))
    return data, jobs


def build_vs_typst(args: argparse.Namespace, work: Path, tf: TypstFonts, results: dict) -> None:
    data, jobs = synthetic(args, work, tf, args.counties, "small")
    listing = work / "typst-small.json"
    listing.write_text(json.dumps(jobs), encoding="utf-8")
    section(f"T3. {args.counties}-county build (PDF + DOCX + summary, --jobs {args.jobs}) vs Typst's "
            f"{len(jobs)} PDFs on {args.jobs} processes" + (" (with last year's files)" if args.previous else ""))
    ours = proctree.run_tree(build_cmd(data, work / "out-small", args.jobs), cwd=work, use_gnu_time=False)
    theirs = proctree.run_tree([sys.executable, str(Path(__file__).resolve()), "--typst-batch", str(listing),
                                "--jobs", str(args.jobs)], cwd=work, use_gnu_time=False)
    if ours.returncode or theirs.returncode:
        print(f"  FAILED: brief exit {ours.returncode} {ours.stderr[-300:]}; typst exit {theirs.returncode} "
              f"{theirs.stderr[-300:]}")
        return
    results["build"] = (ours.cpu, theirs.cpu, args.counties, ours.peak_pss_sum)
    line("brief build, cpu (tree)", f"{ours.cpu:6.2f} s  (wall {ours.wall:.2f} s, peak PSS "
         f"{ours.peak_pss_sum / MB:.0f} MB)")
    line("Typst, cpu (tree)", f"{theirs.cpu:6.2f} s  (wall {theirs.wall:.2f} s)")
    line("ratio", f"{ours.cpu / theirs.cpu:6.2f} x")
    again = proctree.run_tree(build_cmd(data, work / "out-small", args.jobs), cwd=work, use_gnu_time=False)
    line("no-op rebuild", f"{again.wall:6.2f} s wall (cpu {again.cpu:.2f} s)")


def cold(args: argparse.Namespace, work: Path, results: dict) -> None:
    section(f"T4. Cold: one `brief render {COUNTY}` process (PDF + DOCX) vs one Typst compile process, "
            f"median of {args.cold_runs}")
    ours = [sys.executable, "-m", "brief", "render", COUNTY, "--year", str(YEAR), "--data", str(args.data),
            "--out", str(work / "cold-out")]
    code = (f"import typst; typst.compile({str(work / 'yingjisha.typ')!r}, output={str(work / 'cold.pdf')!r}, "
            f"font_paths=[{str(work / 'typst-fonts')!r}], ignore_system_fonts=True)")
    theirs = [sys.executable, "-c", code]
    # An installed brief has its bytecode. Where this shell sets PYTHONDONTWRITEBYTECODE (and src/brief
    # has no __pycache__), every process would compile brief from source: both commands get their
    # bytecode in the temp dir instead (PYTHONPYCACHEPREFIX), and ours is also shown without it.
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(work / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    runs = [("ours", ours, env), ("typst", theirs, env)]
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        runs.append(("ours, no bytecode", ours, None))
    cpu: dict[str, list[float]] = {key: [] for key, _, _ in runs}
    for _, cmd, e in runs:  # untimed: bytecode written, files in the page cache
        subprocess.run(cmd, cwd=work, capture_output=True, check=True, env=e)
    for _ in range(args.cold_runs):
        for key, cmd, e in runs:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(cmd, cwd=work, capture_output=True, check=True, env=e)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[key].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    results["cold"] = (med(cpu["ours"]), med(cpu["typst"]))
    if "ours, no bytecode" in cpu:
        line("brief render without bytecode (this shell's PYTHONDONTWRITEBYTECODE), cpu",
             f"{med(cpu['ours, no bytecode']):6.3f} s")
    line("brief render, cpu", f"{med(cpu['ours']):6.3f} s")
    line("python -c 'import typst; typst.compile(...)', cpu", f"{med(cpu['typst']):6.3f} s")
    line("ratio", f"{med(cpu['ours']) / med(cpu['typst']):6.2f} x")


def big(args: argparse.Namespace, work: Path, results: dict) -> None:
    args.big_summary = getattr(args, "big_summary", 0)  # run.py has no such flag
    listed = f"; the program lists {args.big_summary} of them" if args.big_summary else ""
    section(f"T5. {args.big}-county build (--jobs {args.jobs}{listed}), then a no-op rebuild")
    if args.big_summary:  # the same summary in both builds: CPU a county compares the briefs
        small = work / "synth-ref"
        synth.make_program(small, args.counties, args.data, seed=7, previous=args.previous,
                           program_counties=args.big_summary)
        ref = proctree.run_tree(build_cmd(small, work / "out-ref", args.jobs), cwd=work, use_gnu_time=False)
        results["build_ref"] = (ref.cpu, args.counties)
        line(f"reference: {args.counties} counties, the same summary, cpu", f"{ref.cpu:6.1f} s  "
             f"({ref.cpu / args.counties * 1000:.0f} ms a county)")
    data = work / f"synth-big{args.big}"
    synth.make_program(data, args.big, args.data, seed=7, previous=args.previous, program_counties=args.big_summary)
    run = proctree.run_tree(build_cmd(data, work / "out-big", args.jobs), cwd=work, use_gnu_time=False)
    if run.returncode:
        print(f"  FAILED: exit {run.returncode}: {run.stderr[-300:]}")
        return
    again = proctree.run_tree(build_cmd(data, work / "out-big", args.jobs), cwd=work, use_gnu_time=False)
    results["big"] = (run.cpu, args.big, run.peak_pss_sum, again.wall)
    main_cpu, kids = run.cpu_split()
    line("cpu by process (sampled)", f"main {main_cpu:.1f} s; workers " + ", ".join(f"{c:.1f}" for c in kids))
    line("build, cpu (tree)", f"{run.cpu:6.1f} s  ({run.cpu / args.big * 1000:.0f} ms a county; wall {run.wall:.1f} s)")
    line("peak PSS of the process tree", f"{run.peak_pss_sum / MB:6.0f} MB")
    line("no-op rebuild", f"{again.wall:6.2f} s wall (cpu {again.cpu:.2f} s)")


def report(results: dict) -> None:
    section("Targets (issue 19): ours / Typst, CPU")
    rows: list[tuple[str, str, bool | None]] = []
    for key, limit, label in (("warm", T_WARM_PDF, "warm PDF"), ("both", T_BOTH, "warm PDF + DOCX vs Typst PDF"),
                              ("cold", T_COLD, "cold render (both) vs cold Typst compile")):
        if key in results:
            a, b = results[key]
            rows.append((f"{label} <= {limit} x", f"{a / b:.2f} x", a / b <= limit))
    if "build" in results:
        a, b, n, _ = results["build"]
        rows.append((f"{n}-county build <= {T_BUILD} x", f"{a / b:.2f} x  ({a:.1f} s vs {b:.1f} s)", a / b <= T_BUILD))
    if "big" in results:
        cpu, n, pss, noop = results["big"]
        per = cpu / n
        ref = results.get("build_ref") or (results["build"][0], results["build"][2]) if (
            "build_ref" in results or "build" in results) else None
        if ref:
            small = ref[0] / ref[1]
            rows.append((f"{n} counties: CPU a county <= {ref[1]}-county build's",
                         f"{per * 1000:.0f} ms vs {small * 1000:.0f} ms", per <= small * 1.05))
        rows.append((f"{n} counties: peak PSS <= {T_BIG_MB:.0f} MB", f"{pss / MB:.0f} MB", pss / MB <= T_BIG_MB))
        rows.append((f"{n} counties: no-op rebuild <= {T_NOOP_S:.0f} s", f"{noop:.2f} s", noop <= T_NOOP_S))
    else:
        rows.append(("1,600 counties (CPU a county, PSS, no-op)", "not measured: pass --big 1600", None))
    for name, value, ok in rows:
        tag = "----" if ok is None else "PASS" if ok else "MISS"
        print(f"  {tag}  {name:<58} {value}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="brief vs Typst (issue 19): see the module docstring")
    p.add_argument("--n", type=int, default=20, help="in-process runs per measurement (default 20)")
    p.add_argument("--counties", type=int, default=100, help="synthetic counties for T3 (default 100)")
    p.add_argument("--big", type=int, default=0, help="also build this many counties (T5; the target is for 1600)")
    p.add_argument("--big-summary", type=int, default=0,
                   help="T5: the program lists only this many counties (its summary is not what T5 measures)")
    p.add_argument("--previous", action="store_true", help="synthetic data with last year's files (YoY, charts)")
    p.add_argument("--jobs", type=int, default=2, help="processes for both builds (default 2)")
    p.add_argument("--cold-runs", type=int, default=5, help="timed cold runs each (default 5)")
    p.add_argument("--data", type=Path, default=ROOT / "data", help="data dir of the seed brief (read only)")
    p.add_argument("--skip-build", action="store_true", help="skip T3")
    p.add_argument("--skip-cold", action="store_true", help="skip T4")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    p.add_argument("--typst-batch", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.typst_batch:
        return typst_batch(args.typst_batch, args.jobs)
    args.data = args.data.resolve()
    work = Path(tempfile.mkdtemp(prefix="brief-typst-"))
    results: dict = {}
    try:
        run(args, work, results)
    finally:
        if args.keep:
            print(f"\nkept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def run(args: argparse.Namespace, work: Path, results: dict) -> None:
    """Every Typst comparison into ``results`` and the targets printed; ``run.py --typst`` calls this."""
    tf = warm(args, work, results)
    if not args.skip_build:
        build_vs_typst(args, work, tf, results)
    if not args.skip_cold:
        cold(args, work, results)
    if args.big:
        big(args, work, results)
    report(results)


if __name__ == "__main__":
    sys.exit(main())
