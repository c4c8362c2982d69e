"""What a brief costs, against baselines measured in the same run (issue 7). On demand, not in CI.

    python bench/run.py                      # everything, ~2 minutes on an idle 2-core machine
    python bench/run.py --n 20 --counties 100 --jobs 2
    python bench/run.py --skip-build --skip-cold   # in-process figures only (~15 s)
    python bench/run.py --snapshot           # measure a copy of src/ while others edit the tree
    python bench/run.py --profile            # also: cProfile of make(), import times of a cold render

It prints, in one run: the 英吉沙县 2023 brief rendered N times in-process (compose, PDF, DOCX,
both); the same text set with stock reportlab as a baseline and our PDF time as a ratio to it; a
synthetic program of --counties counties built with `brief build --jobs J` (wall, briefs per
second, peak memory of the process tree, then a no-op rebuild); the wall time of a cold
`brief render`; and each target of the issue with PASS or MISS.

Wall times are medians of perf_counter; every line also shows CPU time, which stays honest when
other processes load the machine (the load average is printed; ratios survive noise too).
Everything it writes goes to one temporary directory, removed at the end unless --keep; the
project's data/ is only read and out/ is never touched. Converted fonts live in the per-machine
font cache (~/.cache/brief/fonts): the first pdf_fonts() call is timed apart, never per brief.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import importlib.util
import io
import os
import platform
import pstats
import re
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
SNAPSHOT_ENV = "BRIEF_BENCH_SNAPSHOT"

# The issue's targets (2-core machine).
T_RATIO = 1.5  # PDF <= 1.5 x plain reportlab
T_BOTH_MS = 80.0  # PDF + DOCX, one brief, in-process median
T_BUILD_S = 8.0  # 100-county build wall
T_BUILD_MB = 500.0  # 100-county build peak memory
T_COLD_S = 0.8  # cold `brief render`, both formats


# -- helpers ----------------------------------------------------------------------------------------


class Times(list):
    """Wall times in ms (perf_counter); ``cpu``: this process's CPU ms (process_time) per run."""

    cpu: list[float]


def timed(fn: Callable[[], object], n: int) -> Times:
    """``n`` runs of ``fn`` after a gc.collect()."""
    gc.collect()
    out, cpu = Times(), []
    for _ in range(n):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        out.append((time.perf_counter() - w0) * 1000.0)
        cpu.append((time.process_time() - c0) * 1000.0)
    out.cpu = cpu
    return out


def timed_pair(fa: Callable[[], object], fb: Callable[[], object], n: int) -> tuple[Times, Times, list[float]]:
    """``fa`` and ``fb`` alternately, ``n`` times each: both see the same machine load; also each pair's ratio."""
    gc.collect()
    a, b = Times(), Times()
    a.cpu, b.cpu = [], []
    for _ in range(n):
        for fn, out in ((fa, a), (fb, b)):
            c0, w0 = time.process_time(), time.perf_counter()
            fn()
            out.append((time.perf_counter() - w0) * 1000.0)
            out.cpu.append((time.process_time() - c0) * 1000.0)
    return a, b, [x / y for x, y in zip(a, b, strict=True)]


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def fmt_ms(xs: Times) -> str:
    return f"{med(xs):7.1f} ms  (cpu {med(xs.cpu):5.1f}; min {min(xs):5.1f}, max {max(xs):5.1f})"


def fmt_s(xs: list[float], cpu: list[float]) -> str:
    return f"{med(xs):6.2f} s   (cpu {med(cpu):.2f}; min {min(xs):.2f}, max {max(xs):.2f}, n={len(xs)})"


def line(label: str, value: str) -> None:
    print(f"  {label:<44} {value}")


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", pdf))


def load() -> str:
    """The 1-minute load average; above half the CPUs, other work is skewing wall times."""
    try:
        one = os.getloadavg()[0]
    except OSError:
        return "load average n/a"
    cpus = os.cpu_count() or 1
    busy = "  << BUSY machine: trust cpu figures and ratios over wall" if one > 0.5 * cpus else ""
    return f"load average {one:.2f} on {cpus} CPUs{busy}"


def section(title: str) -> None:
    print(f"\n== {title}")
    print(f"   [{load()}]")


def git_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "templates"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + (" (+ uncommitted changes in src/ or templates/)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def last_error(stderr: str) -> str:
    """The last exception line of a traceback, with its continuation lines, or the last line."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for i in range(len(lines) - 1, -1, -1):
        if re.match(r"^[\w.]+(Error|Exception)\b", lines[i]):
            return " ".join(lines[i:i + 3])[:240]
    return lines[-1][:240] if lines else "no message"


# -- 1 and 2: in-process renders and the plain-reportlab baseline ------------------------------------


def in_process(args: argparse.Namespace, results: dict) -> None:
    from brief import model
    from brief.compose.county import default_templates
    from brief.data.dataset import load_dataset
    from brief.documents import COUNTY as county_kind
    from brief.fonts import pdf_fonts
    from brief.preflight import check_glyphs
    from brief.render import FORMATS, Target, compose, inputs, make
    from brief.writers.docx import docx_bytes
    from brief.writers.pdf import pdf_bytes

    t0 = time.perf_counter()
    fonts = pdf_fonts()
    fonts_ms = (time.perf_counter() - t0) * 1000
    ds = load_dataset(args.data)
    templates = default_templates()
    reference = templates / "reference.docx"
    target = Target(county_kind, COUNTY, YEAR)
    sources = inputs(ds, target) + [templates / target.template]

    section(f"1. In-process: {ds.county(COUNTY, YEAR).county} {YEAR} brief, median of N={args.n} after 1 warm-up")
    t0 = time.perf_counter()
    blobs = make(ds, target, FORMATS, templates)
    warm_ms = (time.perf_counter() - t0) * 1000
    doc = compose(ds, target, templates)
    text_only = dataclasses.replace(doc, blocks=tuple(
        b for b in doc.blocks if not isinstance(b, model.Figure | model.Chart)))
    print(f"  first pdf_fonts(): {fonts_ms:.0f} ms; warm-up make() (imports, font parsing, templates): "
          f"{warm_ms:.0f} ms")
    print(f"  output: PDF {len(blobs['pdf']) / 1024:.0f} KiB, {pages(blobs['pdf'])} pages; "
          f"DOCX {len(blobs['docx']) / 1024:.0f} KiB; {len(doc.blocks)} blocks")

    n, r = args.n, results
    chart_png = _chart_png()

    def fresh(fn: Callable[[], object]) -> Callable[[], object]:
        """``fn`` as a brief of its own pays it: the DOCX writer's per-process chart PNG memo emptied first."""
        def run() -> object:
            if chart_png is not None and hasattr(chart_png, "cache_clear"):
                chart_png.cache_clear()
            return fn()
        return run

    r["compose"] = timed(lambda: compose(ds, target, templates), n)
    r["pdf"] = timed(lambda: pdf_bytes(compose(ds, target, templates), fonts), n)
    r["docx"] = timed(fresh(lambda: docx_bytes(compose(ds, target, templates), reference=reference)), n)
    r["both"] = timed(fresh(lambda: make(ds, target, FORMATS, templates)), n)
    r["pdf_writer"] = timed(lambda: pdf_bytes(doc, fonts), n)
    r["docx_writer"] = timed(fresh(lambda: docx_bytes(doc, reference=reference)), n)
    r["glyphs"] = timed(lambda: check_glyphs(doc, fonts, sources), n)
    if any(isinstance(b, model.Chart) for b in doc.blocks):
        r["docx_cached"] = timed(lambda: docx_bytes(doc, reference=reference), n)
        r["both_cached"] = timed(lambda: make(ds, target, FORMATS, templates), n)
    r["pdf_text_only"] = timed(lambda: pdf_bytes(text_only, fonts), n)
    line("compose only", fmt_ms(r["compose"]))
    line("PDF   compose + pdf_bytes", fmt_ms(r["pdf"]))
    line("DOCX  compose + docx_bytes", fmt_ms(r["docx"]))
    line("both  make(): compose once, preflight, both", fmt_ms(r["both"]))
    print("  breakdown:")
    line("  pdf_bytes", fmt_ms(r["pdf_writer"]))
    line("  docx_bytes (its chart PNG drawn each time)", fmt_ms(r["docx_writer"]))
    line("  check_glyphs (preflight)", fmt_ms(r["glyphs"]))
    if "docx_cached" in r:
        line("  docx_bytes, chart PNG from the memo", fmt_ms(r["docx_cached"]))
        line("  make(), chart PNG from the memo", fmt_ms(r["both_cached"]))
    line("  pdf_bytes of the text only (no photo/chart)", fmt_ms(r["pdf_text_only"]))

    section("2. Baseline: the same text in stock reportlab (Paragraph wordWrap='CJK', Table, same fonts)")
    items = baseline.extract(doc)
    stock = baseline.StockFonts(fonts)  # the same files, parsed by reportlab itself (not timed)
    styles = baseline.make_styles(stock)
    base_pdf = baseline.render(items, stock, styles)  # warm-up
    # Ours and the baseline alternate, so that both see the same load; the ratio is the median of the pairs.
    ours, r["baseline"], pairs = timed_pair(lambda: pdf_bytes(compose(ds, target, templates), fonts),
                                            lambda: baseline.render(items, stock, styles), n)
    _, _, text_pairs = timed_pair(lambda: pdf_bytes(text_only, fonts), lambda: baseline.render(items, stock, styles), n)
    r["ratio"], r["writer_ratio"] = med(pairs), med(text_pairs)
    r["ratio_cpu"] = med(ours.cpu) / med(r["baseline"].cpu)
    line(f"plain reportlab, text only ({pages(base_pdf)} pages)", fmt_ms(r["baseline"]))
    line("  our PDF, timed alternately with it", fmt_ms(ours))
    line("ratio PDF (compose + pdf_bytes) / baseline", f"{r['ratio']:7.2f} x  (median of {n} pairs; "
         f"of cpu medians {r['ratio_cpu']:.2f} x)")
    line("ratio pdf_bytes text only / baseline", f"{r['writer_ratio']:7.2f} x  (like for like: same content)")


def _chart_png():
    try:
        from brief.writers.docx import chart_png
    except ImportError:
        return None
    return getattr(chart_png, "chart_png", None)


# -- 3: the synthetic program build ------------------------------------------------------------------


def briefs_made(out: Path) -> int:
    stems: dict[str, set[str]] = {}
    for path in out.glob("*/*"):
        if path.suffix in (".pdf", ".docx") and not path.name.startswith("."):
            stems.setdefault(f"{path.parent.name}/{path.stem}", set()).add(path.suffix)
    return sum(1 for kinds in stems.values() if kinds == {".pdf", ".docx"})


def synthetic_build(args: argparse.Namespace, work: Path, results: dict) -> None:
    from brief.data.dataset import load_dataset

    data = work / "synth-data"
    t0 = time.perf_counter()
    synth.make_program(data, args.counties, args.data, seed=args.seed, program_counties=args.program_counties,
                       previous=args.previous)
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ds = load_dataset(data)  # raises BriefError if the generator wrote anything invalid
    load_s = time.perf_counter() - t0
    members = len(ds.programs[synth.PROGRAM].counties)

    section(f"3. Build: synthetic program, `brief build --jobs {args.jobs} --year {synth.YEAR}`")
    n_counties = len({c for c, _ in ds.counties})
    expected = n_counties + 1
    prev = (f"+ {synth.YEAR - 1} files (YoY tables and a chart; built: {synth.YEAR} only)" if args.previous
            else f"{synth.YEAR} only: no YoY chart")
    print(f"  data: {n_counties} counties x {len(ds.catalog.indicators)} indicators, 12 highlights each, {prev}; "
          f"program '{synth.PROGRAM}' lists {members} counties; "
          f"generated in {gen_s:.1f} s, load_dataset {load_s:.2f} s")
    out = work / "synth-out"
    cmd = [sys.executable, "-m", "brief", "build", "--data", str(data), "--out", str(out), "--jobs", str(args.jobs),
           "--year", str(synth.YEAR)]
    gc.collect()
    run = proctree.run_tree(cmd, cwd=work)
    made = briefs_made(out)
    results.update(build=run, build_made=made, build_expected=expected)  # expected: this year's briefs
    print("  result: " + ("ok" if run.returncode == 0 else f"FAILED, exit {run.returncode}: {last_error(run.stderr)}"))
    line("wall", f"{run.wall:7.2f} s   (cpu {run.cpu:.2f} s user+sys over the tree)")
    main_cpu, kids = run.cpu_split()
    if kids:
        shares = ", ".join(f"{c:.2f}" for c in kids)
        line("cpu by process (sampled)", f"main {main_cpu:.2f} s; children {shares} s")
    line("briefs made (PDF + DOCX each)", f"{made:7d}     of {expected}")
    line("briefs per second", f"{made / run.wall:7.1f} /s  (per cpu-second {made / max(run.cpu, 1e-9):.1f})")
    line("peak memory, tree sum of RSS", f"{run.peak_rss_sum / MB:7.0f} MB  "
         f"({run.samples} samples, 50 ms apart; up to {run.peak_procs} processes)")
    line("peak memory, tree sum of PSS", f"{run.peak_pss_sum / MB:7.0f} MB  (pages shared after fork counted once)")
    if run.max_rss_single is not None:
        line("largest single process (/usr/bin/time -v)", f"{run.max_rss_single / MB:7.0f} MB")
    for note in run.notes:
        print(f"  note: {note}")
    again = proctree.run_tree(cmd, cwd=work, use_gnu_time=False)
    results["noop"] = again
    label = "no-op rebuild, wall" if run.returncode == 0 else "second build (retries the failure), wall"
    line(label, f"{again.wall:7.2f} s   (cpu {again.cpu:.2f} s; "
         + ("ok)" if again.returncode == 0 else f"exit {again.returncode})"))


# -- 4: cold start ----------------------------------------------------------------------------------


def cold_start(args: argparse.Namespace, work: Path, results: dict) -> None:
    import resource

    section(f"4. Cold start: one `render {COUNTY} --year {YEAR}` process (PDF + DOCX), median of {args.cold_runs}")
    commands = [("python -m brief", [sys.executable, "-m", "brief"])]
    on_path = shutil.which("brief")
    direct = Path(sys.executable).parent / "brief"
    if on_path:
        commands.append(("brief (script on PATH)", [on_path]))
        print(f"  brief on PATH: {on_path}")
    if direct.is_file() and (not on_path or Path(on_path).resolve() != direct.resolve()):
        commands.append(("brief (entry point)", [str(direct)]))
        print(f"  brief entry point beside this python: {direct}")
    no_pyc = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    import brief

    has_pyc = (Path(brief.__file__).parent / "__pycache__").is_dir()
    envs = [("", None)]
    if no_pyc and not has_pyc:
        # This shell sets PYTHONDONTWRITEBYTECODE and src/brief has no __pycache__: every process compiles
        # brief's modules from source. An installed package has its bytecode; measure that case too,
        # with the bytecode kept in the temp dir (PYTHONPYCACHEPREFIX), never in src/.
        env = dict(os.environ, PYTHONPYCACHEPREFIX=str(work / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE")
        envs = [(" [no bytecode]", None), (" [bytecode]", env)]
        print("  PYTHONDONTWRITEBYTECODE is set and src/brief has no __pycache__: brief's modules are compiled "
              "in every process;\n  '[bytecode]' rows keep bytecode in the temp dir, as an installed package has.")
    out = work / "cold-out"
    variants = []
    for label, prefix in commands:
        for tag, env in envs:
            cmd = [*prefix, "render", COUNTY, "--year", str(YEAR), "--data", str(args.data), "--out", str(out)]
            first = subprocess.run(cmd, cwd=work, capture_output=True, text=True, env=env)  # untimed warm-up
            if first.returncode != 0:
                line(label + tag, f"FAILED, exit {first.returncode}: {last_error(first.stderr)}")
                continue
            variants.append((label + tag, cmd, env, [], []))
    for _ in range(args.cold_runs):  # round robin: every variant sees the same load
        for _, cmd, env, walls, cpus in variants:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, cwd=work, capture_output=True, check=True, env=env)
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    for name, _, _, walls, cpus in variants:
        results.setdefault("cold", {})[name] = (walls, cpus)
        line(name, fmt_s(walls, cpus))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    line("(for scale: python -c pass)", f"{time.perf_counter() - start:6.2f} s")


# -- 5: targets -------------------------------------------------------------------------------------


def targets(results: dict) -> None:
    section("5. Targets (issue 7)")
    rows: list[tuple[str, str, bool]] = []
    if "ratio" in results:
        rows.append((f"PDF <= {T_RATIO} x plain reportlab", f"{results['ratio']:.2f} x "
                     f"(text only, like for like: {results['writer_ratio']:.2f} x)", results["ratio"] <= T_RATIO))
        both = results["both"]
        rows.append((f"PDF + DOCX <= {T_BOTH_MS:.0f} ms median in-process",
                     f"{med(both):.1f} ms (cpu {med(both.cpu):.1f})", med(both) <= T_BOTH_MS))
    if "build" in results:
        run = results["build"]
        ok = run.returncode == 0 and results["build_made"] == results["build_expected"]
        tag = "" if ok else f", FAILED: {results['build_made']}/{results['build_expected']} briefs"
        n = results["build_expected"] - 1
        name = f"{n}-county build" + ("" if n == 100 else " (target is for 100)")
        rows.append((f"{name} <= {T_BUILD_S:.0f} s", f"{run.wall:.2f} s (cpu {run.cpu:.1f} s{tag})",
                     ok and run.wall <= T_BUILD_S))
        rss, pss = run.peak_rss_sum / MB, run.peak_pss_sum / MB
        rows.append((f"{name} <= {T_BUILD_MB:.0f} MB peak, tree RSS sum", f"{rss:.0f} MB", rss <= T_BUILD_MB))
        rows.append((f"{name} <= {T_BUILD_MB:.0f} MB peak, tree PSS sum", f"{pss:.0f} MB", pss <= T_BUILD_MB))
    for label, (walls, cpus) in results.get("cold", {}).items():
        rows.append((f"cold render <= {T_COLD_S} s: {label}", f"{med(walls):.2f} s (cpu {med(cpus):.2f})",
                     med(walls) <= T_COLD_S))
    for name, value, ok in rows:
        print(f"  {'PASS' if ok else 'MISS'}  {name:<56} {value}")
    if not rows:
        print("  nothing measured (every phase skipped)")


# -- 6, 7: profiles ---------------------------------------------------------------------------------


def profile(args: argparse.Namespace, work: Path) -> None:
    from brief.compose.county import default_templates
    from brief.data.dataset import load_dataset
    from brief.documents import COUNTY as county_kind
    from brief.render import FORMATS, Target, make

    section(f"6. Profile: cProfile of {args.n} make() calls (PDF + DOCX), top 20 by own time")
    ds = load_dataset(args.data)
    templates = default_templates()
    target = Target(county_kind, COUNTY, YEAR)
    make(ds, target, FORMATS, templates)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(args.n):
        make(ds, target, FORMATS, templates)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime").print_stats(20)
    lines = buf.getvalue().splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    print("\n".join(ln for ln in lines[start:start + 21] if ln.strip()))

    section("7. Profile: python -X importtime of one cold render, biggest imports (cumulative)")
    cmd = [sys.executable, "-X", "importtime", "-m", "brief", "render", COUNTY, "--year", str(YEAR),
           "--data", str(args.data), "--out", str(work / "importtime-out")]
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    rows = []
    for ln in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", ln)
        if m and len(m.group(3)) <= 3:  # top level and one below
            rows.append((int(m.group(2)), (len(m.group(3)) - 1) // 2, m.group(4)))
    total = sum(cum for cum, depth, _ in rows if depth == 0)
    print(f"  all top-level imports: {total / 1000:.0f} ms")
    for cum, depth, name in sorted(rows, reverse=True)[:15]:
        print(f"  {cum / 1000:7.1f} ms  {'  ' * depth}{name}")


# -- main -------------------------------------------------------------------------------------------


def snapshot(argv: list[str]) -> int:
    """Copy src/ and templates/ to a temp dir and run this script again on the copy (PYTHONPATH)."""
    snap = Path(tempfile.mkdtemp(prefix="brief-bench-src-"))
    try:
        shutil.copytree(ROOT / "src", snap / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        shutil.copytree(ROOT / "templates", snap / "templates")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(snap / "src"),
                                                                      os.environ.get("PYTHONPATH")])))
        env[SNAPSHOT_ENV] = git_state()
        rest = [a for a in argv if a != "--snapshot"]
        if "--data" not in rest:
            rest += ["--data", str(ROOT / "data")]
        return subprocess.run([sys.executable, str(Path(__file__).resolve()), *rest], env=env).returncode
    finally:
        shutil.rmtree(snap, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description="brief benchmark (issue 7): see the module docstring")
    p.add_argument("--n", type=int, default=20, help="in-process renders per measurement (default 20)")
    p.add_argument("--counties", type=int, default=100, help="synthetic counties to build (default 100)")
    p.add_argument("--program-counties", type=int, default=None,
                   help="counties the synthetic program lists (default all); its summary has a column for each")
    p.add_argument("--previous", action="store_true",
                   help=f"also generate {YEAR - 1} county files: YoY tables and a chart per brief, as in the seed")
    p.add_argument("--jobs", type=int, default=2, help="brief build --jobs (default 2)")
    p.add_argument("--cold-runs", type=int, default=5, help="timed cold renders per command (default 5)")
    p.add_argument("--seed", type=int, default=7, help="random seed of the synthetic data")
    p.add_argument("--data", type=Path, default=ROOT / "data", help="data dir of the seed brief (read only)")
    p.add_argument("--skip-inprocess", action="store_true", help="skip sections 1 and 2")
    p.add_argument("--skip-build", action="store_true", help="skip section 3")
    p.add_argument("--skip-cold", action="store_true", help="skip section 4")
    p.add_argument("--profile", action="store_true", help="also profile make() and a cold render's imports")
    p.add_argument("--snapshot", action="store_true", help="measure a copy of src/ and templates/ (stable "
                   "while others edit the tree)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory and print its path")
    p.add_argument("--typst", action=argparse.BooleanOptionalAction, default=None,
                   help="also measure against Typst (bench/typst_baseline.py; default: when `typst` is importable)")
    p.add_argument("--big", type=int, default=0, help="with --typst: also build this many counties (target: 1600)")
    args = p.parse_args(argv)
    if args.snapshot and SNAPSHOT_ENV not in os.environ:
        return snapshot(argv)
    args.data = args.data.resolve()

    import docx
    import reportlab

    import brief
    from brief.writers.pdf import deflate

    try:
        import _rl_accel  # noqa: F401

        accel = "with _rl_accel"
    except ImportError:
        accel = "without _rl_accel (pure-Python helpers)"
    where = (f"snapshot of git {os.environ[SNAPSHOT_ENV]} at {Path(brief.__file__).parents[2]}"
             if SNAPSHOT_ENV in os.environ else f"git {git_state()}")
    print(f"brief benchmark {time.strftime('%Y-%m-%d %H:%M')}: {where}")
    print(f"machine: {os.cpu_count()} CPUs {platform.machine()}; Python {platform.python_version()}; "
          f"reportlab {reportlab.Version} {accel}; python-docx {getattr(docx, '__version__', '?')}; "
          f"PDF streams deflated by {deflate.engine()}")
    work = Path(tempfile.mkdtemp(prefix="brief-bench-"))
    results: dict = {}
    try:
        if not args.skip_inprocess:
            in_process(args, results)
            gc.collect()
        if not args.skip_build:
            synthetic_build(args, work, results)
            gc.collect()
        if not args.skip_cold:
            cold_start(args, work, results)
            gc.collect()
        targets(results)
        if args.typst is None:
            args.typst = importlib.util.find_spec("typst") is not None
        if args.typst:
            import typst_baseline

            typst_baseline.run(args, work, {})
        if args.profile:
            profile(args, work)
    finally:
        if args.keep:
            print(f"\nkept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
