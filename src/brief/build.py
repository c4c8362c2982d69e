"""``brief build``: every brief for every year, in parallel, rebuilt only when an input changed.

Each output's fingerprint hashes what it depends on (its data files and images, the catalog, its
template and reference.docx, the fonts, the tool's own source). The manifest records it; a build
whose fingerprints all match writes nothing. Outputs are written atomically, the manifest after
every brief, so a build killed at any moment leaves complete files or none, and the next build
finishes the job. An flock on the output dir (released by the kernel when a process dies) keeps two
builds apart without a lock file that could go stale: the workers never hold it (see outdir), and
they die with the build (a parent-death signal), so a killed build leaves no process behind.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import TypeVar

from . import __version__
from .compose.county import default_templates
from .compose.issue import issue_fingerprint
from .compose.program import has_content
from .data.dataset import Dataset, load_dataset
from .documents import COUNTY, FORMATS, PROGRAM, SUMMARY, Target, inputs, output_path, stem
from .errors import BriefError, check_path, os_error_problem
from .outdir import atomic_write, check_out, clean_temporaries, exclusive
from .render import make, write_outputs

MANIFEST = "manifest.json"
LOCK = ".build.lock"
T = TypeVar("T")  # what a worker returns


@dataclass(frozen=True)
class Outcome:
    target: Target
    written: list[Path]
    skipped: bool
    name: str = ""  # the brief's file name without suffix, as a user knows it


def targets(ds: Dataset, year: int | None = None) -> list[Target]:
    out = [Target(COUNTY, cid, y) for (cid, y) in sorted(ds.counties)]
    for pid, program in sorted(ds.programs.items()):
        years = {y for (cid, y) in ds.counties if cid in program.counties}
        out += [Target(SUMMARY, pid, y) for y in sorted(years)]
        # A program year file with figures or highlights is a document of its own.
        out += [Target(PROGRAM, pid, y) for (p, y), own in sorted(ds.program_years.items())
                if p == pid and has_content(own)]
    return [t for t in out if year is None or t.year == year]


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """The tool's version and source: a code change rebuilds everything."""
    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def font_fingerprint() -> str:
    from .fonts import resolve

    fontset = resolve()
    h = hashlib.sha256()
    for font in (*fontset.roles, *fontset.fallbacks, *fontset.supplements):
        stat = Path(font.path).stat()
        h.update(f"{font.role}:{font.path}:{font.index}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return h.hexdigest()


def fingerprint(ds: Dataset, t: Target, templates: Path, fonts: str) -> tuple[str, list[str]]:
    paths = inputs(ds, t) + [templates / t.template, templates / "reference.docx"]
    h = hashlib.sha256(f"{tool_fingerprint()}|{fonts}|{t}".encode())
    for p in paths:
        h.update(_place(p, ds.root, templates).encode())  # not where the dirs are: a moved data dir is not a change
        h.update(file_hash(p).encode() if p.is_file() else b"missing")
    issued = issue_fingerprint(ds, t)
    if issued:  # the entry and recipients this brief prints, not the whole files: others stay fresh
        h.update(issued.encode())
    return h.hexdigest(), [_rel(p, ds.root.parent) for p in paths]


def _place(path: Path, data: Path, templates: Path) -> str:
    """An input's name inside its own dir (``data:counties/x/2023.yaml``), else its absolute path."""
    for label, root in (("data", data), ("templates", templates)):
        rel = _rel(path, root)
        if not Path(rel).is_absolute():
            return f"{label}:{rel}"
    return str(path)


def _rel(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def read_manifest(out: Path) -> dict[str, dict]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return {entry["path"]: entry for entry in data.get("outputs", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_manifest(out: Path, entries: dict[str, dict]) -> None:
    body = {"tool": f"brief {__version__}", "outputs": [entries[k] for k in sorted(entries)]}
    atomic_write(out / MANIFEST, (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def _refuse_undrawable(ds: Dataset) -> None:
    """A character no installed font has would stop one brief mid-build: refuse before any."""
    from .check import refuse_undrawable

    refuse_undrawable(ds)


def _up_to_date(out: Path, entries: dict[str, dict], rels: list[str], fp: str) -> bool:
    for rel in rels:
        entry = entries.get(rel)
        path = out / rel
        if not entry or entry.get("fingerprint") != fp or not path.is_file():
            return False
        if file_hash(path) != entry.get("sha256"):
            return False
    return True


# Worker state: each process reads the data dir once.
_WORKER: dict[str, object] = {}
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """A worker gets SIGKILL when the build dies, even by kill -9: no orphan keeps working or waiting."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl: the pool still ends with a live parent
    if os.getppid() != parent:  # the parent died before the signal was armed
        os.kill(os.getpid(), signal.SIGKILL)


def _init_worker(parent: int, data: str | None = None, templates: str | None = None) -> None:
    _die_with_parent(parent)
    if data is not None and templates is not None:  # spawned, not forked: read the data dir once
        _WORKER["ds"] = load_dataset(Path(data))
        _WORKER["templates"] = Path(templates)


def _render(t: Target, out: str) -> list[str]:
    ds, templates = _WORKER["ds"], _WORKER["templates"]
    blobs = make(ds, t, FORMATS, templates)  # type: ignore[arg-type]
    return [str(p) for p in write_outputs(ds, t, Path(out), blobs)]  # type: ignore[arg-type]


def _pdf_digest(t: Target) -> str:
    """The sha256 the brief's PDF would have: rendered in memory, written nowhere."""
    ds, templates = _WORKER["ds"], _WORKER["templates"]
    blobs = make(ds, t, ("pdf",), templates)  # type: ignore[arg-type]
    return hashlib.sha256(blobs["pdf"]).hexdigest()


def build(data: Path, out: Path, year: int | None = None, jobs: int = 0, templates: Path | None = None,
          progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    for path, key in ((data, "--data"), (out, "--out"), (templates, "--templates")):
        check_path(path, key)
    check_out(out)
    ds = load_dataset(data)  # refuses before anything is rendered if any file is bad
    _refuse_undrawable(ds)
    templates = templates or default_templates()
    jobs = jobs or min(os.cpu_count() or 1, 4)
    wanted = targets(ds, year)
    if not wanted:
        what = f"没有 {year} 年的数据文件" if year else "没有任何县的数据文件"
        raise BriefError.at(str(ds.root / "counties"), None, "--year" if year else "-", what)
    with exclusive(out, LOCK, "build"):
        clean_temporaries(out)
        entries = read_manifest(out)
        todo: list[tuple[Target, str, list[str]]] = []
        outcomes: list[Outcome] = []
        for t, (fp, ins, fresh) in plan(ds, out, wanted, templates, entries).items():
            if fresh:
                outcomes.append(Outcome(t, [], True, stem(ds, t)))
                if progress:
                    progress(outcomes[-1])
            else:
                todo.append((t, fp, ins))
        if todo:
            try:
                _run(todo, ds, out, templates, jobs, entries, outcomes, progress)
            finally:
                write_manifest(out, entries)  # whatever finished, even if one brief failed
        return outcomes


def plan(ds: Dataset, out: Path, wanted: list[Target], templates: Path,
         entries: dict[str, dict] | None = None) -> dict[Target, tuple[str, list[str], bool]]:
    """Per target: its fingerprint, its inputs, and whether its outputs are up to date (else a
    build remakes it). ``distribute --dry-run`` asks the same question the same way."""
    entries = read_manifest(out) if entries is None else entries
    fonts = font_fingerprint()
    out_plan = {}
    for t in wanted:
        fp, ins = fingerprint(ds, t, templates, fonts)
        rels = [output_path(ds, t, f, Path()).as_posix() for f in FORMATS]
        out_plan[t] = (fp, ins, _up_to_date(out, entries, rels, fp))
    return out_plan


def stale(wanted: list[Target], ds: Dataset, out: Path, templates: Path | None = None) -> set[Target]:
    """The targets a build would remake now, decided as ``build`` decides (``plan``): what
    ``distribute --dry-run`` announces as 需先生成."""
    templates = templates or default_templates()
    return {t for t, (_, _, fresh) in plan(ds, out, wanted, templates).items() if not fresh}


def pdf_digests(ds: Dataset, wanted: list[Target], templates: Path, jobs: int = 0) -> dict[Target, str]:
    """The sha256 of each target's PDF as a build would write it now, computed without writing."""
    _refuse_undrawable(ds)
    jobs = jobs or min(os.cpu_count() or 1, 4)
    digests = {}
    with closing(_each([(t, "", []) for t in wanted], ds, templates, jobs, _pdf_digest)) as results:
        for t, get in results:
            digests[t] = _result(get, t, ds)
    return digests


def _run(todo: list[tuple[Target, str, list[str]]], ds: Dataset, out: Path, templates: Path, jobs: int,
         entries: dict[str, dict], outcomes: list[Outcome], progress: Callable[[Outcome], None] | None) -> None:
    meta = {t: (fp, ins) for t, fp, ins in todo}
    last_flush = [time.monotonic()]

    def record(t: Target, written: list[str]) -> None:
        fp, ins = meta[t]
        for p in written:
            rel = Path(p).relative_to(out).as_posix()
            entries[rel] = {"path": rel, "sha256": file_hash(Path(p)), "inputs": ins, "fingerprint": fp}
        # The manifest is what spares a killed build's finished briefs: keep it current, but
        # rewriting it after each of a hundred briefs cost the parent a second.
        if time.monotonic() - last_flush[0] > 0.5:
            write_manifest(out, entries)
            last_flush[0] = time.monotonic()
        outcomes.append(Outcome(t, [Path(p) for p in written], False, Path(written[0]).stem if written else ""))
        if progress:
            progress(outcomes[-1])

    # closing: a failed brief shuts the pool down here, before the lock is let go
    with closing(_each(todo, ds, templates, jobs, partial(_render, out=str(out)))) as results:
        for t, get in results:
            record(t, _result(get, t, ds))


def _each(todo: list[tuple[Target, str, list[str]]], ds: Dataset, templates: Path, jobs: int,
          work: Callable[[Target], T]) -> Iterator[tuple[Target, Callable[[], T]]]:
    """``work`` for each target, in this process or in a pool of ``jobs``; yields as each finishes."""
    _WORKER.update(ds=ds, templates=templates)
    if not todo:
        return
    if jobs == 1 or len(todo) == 1:
        for t, _, _ in todo:
            yield t, partial(work, t)
        return
    _preload(templates)
    # Forked workers inherit the parsed data, the imported writers and the parsed fonts; elsewhere
    # (spawn) each worker reads them once in its initializer. Either way a worker dies with us.
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forking else "spawn")
    initargs = (os.getpid(),) if forking else (os.getpid(), str(ds.root), str(templates))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                             initargs=initargs) as pool:
        # Summaries are the longest briefs: start them first so no worker idles at the end.
        ordered = sorted(todo, key=lambda item: item[0].kind is not SUMMARY)
        futures = {pool.submit(work, t): t for t, _, _ in ordered}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result
        finally:  # a failure stops the rest: what is queued is dropped, what runs is waited for
            pool.shutdown(wait=True, cancel_futures=True)


def _preload(templates: Path) -> None:
    """What every brief needs, done once in the parent before the workers fork."""
    from .fonts import pdf_fonts
    from .writers.docx.writer import load_template
    from .writers.pdf import pdf_bytes  # noqa: F401 - imported for the children

    pdf_fonts().load_roles()
    load_template(templates / "reference.docx")


def _result(run: Callable[[], T], t: Target, ds: Dataset) -> T:
    """A brief's result; a failure that is not the user's data still comes back as one line."""
    try:
        return run()
    except BriefError:
        raise
    except OSError as exc:  # a full disk, a read-only output dir: the path and why, in words
        raise BriefError(os_error_problem(exc)) from None
    except Exception as exc:  # noqa: BLE001 - one line per failed output, never a traceback
        where = ds.root / t.kind.folder / t.id
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise BriefError.at(str(where), None, f"{t.year} {t.kind.name}",
                            f"生成失败：{type(exc).__name__}: {message[:200]}") from None
