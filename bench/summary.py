"""What the summary of a large program costs (issue 19): time and memory of one summary, on demand.

    python bench/summary.py                       # 1,600 counties in 14 prefectures
    python bench/summary.py --counties 400 --prefectures 4 --keep

Synthesizes a program (bench/synth.py) in a temporary dir, reads it once (timed apart: a build
reads the data dir once for every brief), then composes the summary and writes its PDF and DOCX
the way a build's worker does (``render.make``), and prints wall and CPU seconds per step, the
page count, and the process's resident memory after reading and at its peak. Target: the summary
in at most 10 s of CPU, its own memory (peak minus what the data took) well under 400 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

# Xinjiang's prefectures, in the order the regional statistics list them: names for the groups
PREFECTURES = ("乌鲁木齐市", "克拉玛依市", "吐鲁番市", "哈密市", "昌吉回族自治州", "博尔塔拉蒙古自治州",
               "巴音郭楞蒙古自治州", "阿克苏地区", "克孜勒苏柯尔克孜自治州", "喀什地区", "和田地区",
               "伊犁哈萨克自治州", "塔城地区", "阿勒泰地区")
TARGET_S = 10.0


def rss_mb() -> float:
    """The process's resident memory now (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(label: str, fn):  # noqa: ANN001, ANN201 - a bench helper
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    print(f"  {label:<28} {time.perf_counter() - wall:7.2f} s wall {time.process_time() - cpu:7.2f} s CPU")
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--counties", type=int, default=1600)
    p.add_argument("--prefectures", type=int, default=len(PREFECTURES), help="groups (at most 14)")
    p.add_argument("--previous", action="store_true", help="add last year's files (year-over-year column)")
    p.add_argument("--keep", action="store_true", help="keep the temporary dir (data and the two files)")
    p.add_argument("--data", type=Path, default=ROOT / "data", help="where the catalog is copied from")
    args = p.parse_args(argv)

    from brief.compose.county import default_templates
    from brief.data.dataset import load_dataset
    from brief.documents import FORMATS, SUMMARY, Target
    from brief.fonts import pdf_fonts
    from brief.render import compose, encode, inputs, write_outputs

    work = Path(tempfile.mkdtemp(prefix="brief-bench-summary-"))
    try:
        data = synth.make_program(work / "data", args.counties, args.data, previous=args.previous,
                                  prefectures=PREFECTURES[:max(1, min(args.prefectures, len(PREFECTURES)))])
        pdf_fonts().load_roles()  # the fonts, as a build's parent loads them before its workers fork
        print(f"summary of {args.counties} counties in {args.prefectures} prefectures")
        ds = step("read the data dir", lambda: load_dataset(data))
        base = rss_mb()
        templates = default_templates()
        t = Target(SUMMARY, synth.PROGRAM, synth.YEAR)
        wall, cpu = time.perf_counter(), time.process_time()
        doc = step("compose", lambda: compose(ds, t, templates))
        sources = inputs(ds, t) + [templates / t.template]
        blobs = {}
        for fmt in FORMATS:
            blobs.update(step(f"write {fmt}", lambda fmt=fmt: encode(doc, (fmt,), templates, sources)))
        total_wall, total_cpu = time.perf_counter() - wall, time.process_time() - cpu
        written = write_outputs(ds, t, work / "out", blobs)
        from pypdf import PdfReader

        pages = len(PdfReader(written[0]).pages) if written[0].suffix == ".pdf" else 0
        # CPU, not wall: on a shared machine the wall time says more about the neighbours
        verdict = "PASS" if total_cpu <= TARGET_S else "MISS"
        print(f"  {'summary (compose + both)':<28} {total_wall:7.2f} s wall {total_cpu:7.2f} s CPU"
              f"   target <= {TARGET_S:.0f} s CPU: {verdict}  (load {os.getloadavg()[0]:.1f})")
        print(f"  PDF {pages} pages, {len(blobs['pdf']) // 1024} KB; DOCX {len(blobs['docx']) // 1024} KB")
        print(f"  memory: {base:.0f} MB after reading the data, peak {peak_mb():.0f} MB "
              f"(the summary's own: {peak_mb() - base:.0f} MB)")
        if args.keep:
            print(f"  kept: {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
