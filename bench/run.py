"""What a brief costs, against baselines measured in the same run (issue 7). Run on demand, not in CI.

    python bench/run.py                      # everything: ~1-2 minutes on a 2-core machine
    python bench/run.py --n 20 --counties 100 --jobs 2
    python bench/run.py --skip-build --skip-cold   # in-process figures only
    python bench/run.py --profile            # also: cProfile of one brief, import times of a cold render

Everything it writes goes to a temporary directory (removed at the end unless --keep); the
project's data/ is only read and out/ is never touched. Font conversion is cached per machine
(~/.cache/brief/fonts): the first pdf_fonts() call is timed separately and never counted per brief.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
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

# The issue's targets (2-core machine).
T_RATIO = 1.5  # PDF ≤ 1.5 × plain reportlab
T_BOTH_MS = 80.0  # PDF + DOCX in-process median
T_BUILD_S = 8.0  # 100-county build wall
T_BUILD_MB = 500.0  # 100-county build peak memory
T_COLD_S = 0.8  # cold `brief render`, both formats


# -- helpers ----------------------------------------------------------------------------------------


class Times(list):
    """Wall times in ms (perf_counter); ``cpu`` holds this process's CPU ms (process_time) per run."""

    cpu: list[float]


def timed(fn: Callable[[], object], n: int) -> Times:
    """``n`` runs of ``fn``, after a gc.collect(): wall ms, and CPU ms (robust when others load the machine)."""
    gc.collect()
    out, cpu = Times(), []
    for _ in range(n):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        out.append((time.perf_counter() - w0) * 1000.0)
        cpu.append((time.process_time() - c0) * 1000.0)
    out.cpu = cpu
    return out


def fmt_ms(xs: Times) -> str:
    return (f"{statistics.median(xs):8.1f} ms   (cpu {statistics.median(xs.cpu):.1f}; wall min {min(xs):.1f}, "
            f"max {max(xs):.1f}; n={len(xs)})")


def fmt_s(xs: list[float]) -> str:
    return f"{statistics.median(xs):6.2f} s    (min {min(xs):.2f}, max {max(xs):.2f}, n={len(xs)})"


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", pdf))


def verdict(ok: bool | None) -> str:
    return "PASS" if ok else ("MISS" if ok is not None else "n/a ")


def git_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "templates"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + (" + uncommitted changes in src/ or templates/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def load() -> str:
    """The 1-minute load average against the CPU count: above the count, other work skews wall times."""
    try:
        one = os.getloadavg()[0]
    except OSError:
        return "load n/a"
    cpus = os.cpu_count() or 1
    warn = "  << BUSY: other processes compete for the CPUs; trust cpu figures and ratios" if one > 0.5 * cpus else ""
    return f"load average {one:.2f} on {cpus} CPUs{warn}"


def section(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 96 - len(title)))


# -- phases -----------------------------------------------------------------------------------------


def in_process(args: argparse.Namespace, results: dict) -> None:
    from brief import model
    from brief.compose.county import default_templates
    from brief.data.dataset import load_dataset
    from brief.fonts import pdf_fonts
    from brief.preflight import check_glyphs
    from brief.render import FORMATS, Target, compose, inputs, make
    from brief.writers.docx import docx_bytes
    from brief.writers.pdf import pdf_bytes

    t0 = time.perf_counter()
    fonts = pdf_fonts()
    font_ms = (time.perf_counter() - t0) * 1000
    ds = load_dataset(args.data)
    templates = default_templates()
    reference = templates / "reference.docx"
    target = Target("county", COUNTY, YEAR)
    sources = inputs(ds, target) + [templates / target.template]
    record = ds.county(COUNTY, YEAR)

    section(f"1. In-process: {record.county} {YEAR} brief, N={args.n} after 1 warm-up (median)")
    print(f"first pdf_fonts() (registration; a CFF conversion only if the cache is cold): {font_ms:.0f} ms")

    # warm-up: every import, font face parse, template compile and reference.docx read happens here
    t0 = time.perf_counter()
    name, blobs = make(ds, target, FORMATS, templates)
    print(f"warm-up make() (imports, font parsing, template compile): {(time.perf_counter() - t0) * 1000:.0f} ms")
    doc = compose(ds, target, templates)
    text_only = dataclasses.replace(doc, blocks=tuple(
        b for b in doc.blocks if not isinstance(b, model.Figure | model.Chart)))
    print(f"output: {name}.pdf {len(blobs['pdf']) / 1024:.0f} KiB, {pages(blobs['pdf'])} pages; "
          f".docx {len(blobs['docx']) / 1024:.0f} KiB; {len(doc.blocks)} blocks")

    n = args.n
    r = results
    r["compose"] = timed(lambda: compose(ds, target, templates), n)
    r["pdf"] = timed(lambda: pdf_bytes(compose(ds, target, templates), fonts), n)
    r["docx"] = timed(lambda: docx_bytes(compose(ds, target, templates), reference=reference), n)
    r["both"] = timed(lambda: make(ds, target, FORMATS, templates), n)
    r["pdf_writer"] = timed(lambda: pdf_bytes(doc, fonts), n)
    r["docx_writer"] = timed(lambda: docx_bytes(doc, reference=reference), n)
    r["glyphs"] = timed(lambda: check_glyphs(doc, fonts, sources), n)
    r["pdf_text_only"] = timed(lambda: pdf_bytes(text_only, fonts), n)

    print(f"compose only                                   {fmt_ms(r['compose'])}")
    print(f"PDF   (compose + pdf_bytes)                    {fmt_ms(r['pdf'])}")
    print(f"DOCX  (compose + docx_bytes)                   {fmt_ms(r['docx'])}")
    print(f"both  (make: compose once + preflight + both)  {fmt_ms(r['both'])}")
    print("  breakdown:")
    print(f"  pdf_bytes alone                              {fmt_ms(r['pdf_writer'])}")
    print(f"  docx_bytes alone                             {fmt_ms(r['docx_writer'])}")
    print(f"  check_glyphs (preflight)                     {fmt_ms(r['glyphs'])}")
    print(f"  pdf_bytes, text-only doc (no photos/chart)   {fmt_ms(r['pdf_text_only'])}")

    section("2. Baseline: the same text with stock reportlab (Paragraph wordWrap='CJK' + Table, same fonts)")
    items = baseline.extract(doc)
    styles = baseline._styles(fonts)
    base_pdf = baseline.render(items, fonts, styles)  # warm-up
    r["baseline"] = timed(lambda: baseline.render(items, fonts, styles), n)
    ratio = statistics.median(r["pdf"]) / statistics.median(r["baseline"])
    writer_ratio = statistics.median(r["pdf_text_only"]) / statistics.median(r["baseline"])
    r["ratio"], r["writer_ratio"] = ratio, writer_ratio
    print(f"plain reportlab, text only ({pages(base_pdf)} pages)        {fmt_ms(r['baseline'])}")
    print(f"ratio  PDF (compose + pdf_bytes) / baseline    {ratio:8.2f} x")
    print(f"ratio  pdf_bytes text-only / baseline          {writer_ratio:8.2f} x   (writers alone, same content)")
    gc.collect()


def synthetic_build(args: argparse.Namespace, work: Path, results: dict) -> None:
    from brief.data.dataset import load_dataset

    section(f"3. Build: synthetic program of {args.counties} counties, `brief build --jobs {args.jobs}`")
    data = work / "synth-data"
    t0 = time.perf_counter()
    synth.make_program(data, args.counties, args.data, seed=args.seed, program_counties=args.program_counties)
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ds = load_dataset(data)  # refuses (BriefError) if the generator wrote anything invalid
    load_s = time.perf_counter() - t0
    n_ind = len(ds.catalog.indicators)
    members = len(ds.programs[synth.PROGRAM].counties)
    expected = len(ds.counties) + 1
    print(f"generated {len(ds.counties)} county files ({n_ind} indicators each, 12 highlights) + program "
          f"'{synth.PROGRAM}' ({members} counties) in {gen_s:.1f} s; load_dataset: {load_s:.2f} s")
    out = work / "synth-out"
    cmd = [sys.executable, "-m", "brief", "build", "--data", str(data), "--out", str(out), "--jobs", str(args.jobs)]
    gc.collect()
    run = proctree.run_tree(cmd, cwd=work)
    made = _briefs_made(out)
    results["build"] = run
    results["build_made"], results["build_expected"] = made, expected
    status = "ok" if run.returncode == 0 else f"FAILED (exit {run.returncode}): {_last_error(run.stderr)}"
    print(f"build: {status}")
    print(f"wall                                           {run.wall:8.2f} s")
    print(f"briefs made (PDF + DOCX each)                  {made:8d}      of {expected} expected")
    print(f"briefs per second                              {made / run.wall:8.1f} /s")
    print(f"peak memory, sum of RSS over the process tree  {run.peak_rss_sum / MB:8.0f} MB   "
          f"({run.samples} samples every 50 ms, up to {run.peak_procs} processes)")
    print(f"peak memory, sum of PSS over the process tree  {run.peak_pss_sum / MB:8.0f} MB   "
          "(shared pages counted once: what the tree really holds)")
    if run.max_rss_single is not None:
        print(f"largest single process (/usr/bin/time -v)     {run.max_rss_single / MB:8.0f} MB")
    for note in run.notes:
        print(f"note: {note}")
    noop = proctree.run_tree(cmd, cwd=work, use_gnu_time=False)
    results["noop"] = noop
    what = "no-op" if run.returncode == 0 else "second (retries what failed)"
    status = "ok" if noop.returncode == 0 else f"exit {noop.returncode}"
    print(f"{what} build wall                              {noop.wall:8.2f} s   ({status})")


def _briefs_made(out: Path) -> int:
    stems: dict[str, set[str]] = {}
    for path in out.glob("*/*"):
        if path.suffix in (".pdf", ".docx") and not path.name.startswith("."):
            stems.setdefault(f"{path.parent.name}/{path.stem}", set()).add(path.suffix)
    return sum(1 for s in stems.values() if s == {".pdf", ".docx"})


def _last_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for line in reversed(lines):
        if re.match(r"^[\w.]+(Error|Exception)\b", line):
            return line[:200]
    return lines[-1][:200] if lines else "no message"


def cold_start(args: argparse.Namespace, work: Path, results: dict) -> None:
    section(f"4. Cold start: one `brief render {COUNTY} --year {YEAR}` process, both formats, "
            f"median of {args.cold_runs}")
    commands = [("python -m brief", [sys.executable, "-m", "brief"])]
    on_path = shutil.which("brief")
    direct = Path(sys.executable).parent / "brief"
    if on_path:
        commands.append((f"brief on PATH ({on_path})", [on_path]))
    if direct.is_file() and (not on_path or Path(on_path).resolve() != direct.resolve()):
        commands.append((f"brief entry point ({direct})", [str(direct)]))
    for label, prefix in commands:
        out = work / "cold-out"
        cmd = [*prefix, "render", COUNTY, "--year", str(YEAR), "--data", str(args.data), "--out", str(out)]
        first = subprocess.run(cmd, cwd=work, capture_output=True, text=True)  # warm OS caches, untimed
        if first.returncode != 0:
            print(f"{label}: FAILED (exit {first.returncode}): {_last_error(first.stderr)}")
            continue
        walls = []
        for _ in range(args.cold_runs):
            start = time.perf_counter()
            subprocess.run(cmd, cwd=work, capture_output=True, check=True)
            walls.append(time.perf_counter() - start)
        results.setdefault("cold", {})[label] = walls
        print(f"{label:46s} {fmt_s(walls)}")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    print(f"(bare `python -c pass` for scale: {time.perf_counter() - start:.2f} s)")


def targets(results: dict) -> None:
    section("5. Targets (issue 7)")
    rows = []
    if "ratio" in results:
        r = results["ratio"]
        rows.append(("PDF <= 1.5 x plain reportlab", f"{r:.2f} x", r <= T_RATIO))
        b = statistics.median(results["both"])
        rows.append((f"PDF + DOCX <= {T_BOTH_MS:.0f} ms median in-process", f"{b:.1f} ms", b <= T_BOTH_MS))
    if "build" in results:
        run = results["build"]
        ok = run.returncode == 0 and results["build_made"] == results["build_expected"]
        tag = "" if ok else f" (build failed: {results['build_made']}/{results['build_expected']} briefs)"
        rows.append((f"100-county build <= {T_BUILD_S:.0f} s", f"{run.wall:.2f} s{tag}", ok and run.wall <= T_BUILD_S))
        peak = max(run.peak_rss_sum, run.peak_pss_sum) / MB
        rows.append((f"100-county build <= {T_BUILD_MB:.0f} MB peak (tree RSS sum)", f"{peak:.0f} MB",
                     peak <= T_BUILD_MB))
    for label, walls in results.get("cold", {}).items():
        med = statistics.median(walls)
        rows.append((f"cold render <= {T_COLD_S} s: {label.split(' (')[0]}", f"{med:.2f} s", med <= T_COLD_S))
    for name, value, ok in rows:
        print(f"{verdict(ok)}  {name:58s} {value}")


def profile(args: argparse.Namespace, work: Path) -> None:
    from brief.compose.county import default_templates
    from brief.data.dataset import load_dataset
    from brief.render import FORMATS, Target, make

    section("6. Profile: cProfile of make() (both formats), own time, top 20")
    ds = load_dataset(args.data)
    templates = default_templates()
    target = Target("county", COUNTY, YEAR)
    make(ds, target, FORMATS, templates)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(args.n):
        make(ds, target, FORMATS, templates)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime")
    stats.print_stats(20)
    lines = buf.getvalue().splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    print("\n".join(ln for ln in lines[start - 4:start + 21] if ln.strip()))

    section("7. Profile: python -X importtime of a cold render, top 15 cumulative imports")
    cmd = [sys.executable, "-X", "importtime", "-m", "brief", "render", COUNTY, "--year", str(YEAR),
           "--data", str(args.data), "--out", str(work / "imp-out")]
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m.group(3)) <= 2:  # top-level imports (depth 0 or 1)
            rows.append((int(m.group(2)), len(m.group(3)) // 2, m.group(4)))
    total = sum(c for c, depth, _ in rows if depth == 0)
    print(f"all top-level imports: {total / 1000:.0f} ms")
    for cum, depth, name in sorted(rows, reverse=True)[:15]:
        print(f"{cum / 1000:8.1f} ms  {'  ' * depth}{name}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=20, help="in-process renders per measurement (default 20)")
    p.add_argument("--counties", type=int, default=100, help="synthetic counties to build (default 100)")
    p.add_argument("--program-counties", type=int, default=None,
                   help="counties the synthetic program lists (default: all); its summary has one column each")
    p.add_argument("--jobs", type=int, default=2, help="brief build --jobs (default 2)")
    p.add_argument("--cold-runs", type=int, default=5, help="timed cold renders per command (default 5)")
    p.add_argument("--seed", type=int, default=7, help="random seed of the synthetic data")
    p.add_argument("--data", type=Path, default=ROOT / "data", help="data dir of the seed brief (read only)")
    p.add_argument("--skip-inprocess", action="store_true")
    p.add_argument("--skip-build", action="store_true")
    p.add_argument("--skip-cold", action="store_true")
    p.add_argument("--profile", action="store_true", help="also print a cProfile of make() and import times")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory and print its path")
    args = p.parse_args(argv)
    args.data = args.data.resolve()

    import brief
    import docx
    import reportlab

    print(f"brief benchmark  {time.strftime('%Y-%m-%d %H:%M')}  git {git_state()}")
    print(f"machine: {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
          f"reportlab {reportlab.Version}, python-docx {getattr(docx, '__version__', '?')}, "
          f"brief {brief.__version__}")
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
        targets(results)
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
