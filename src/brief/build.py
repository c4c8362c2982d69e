"""``brief build``: every brief for every year, in parallel, rebuilt only when an input changed.

Each output's fingerprint hashes what it depends on (its data files and images, the catalog, its
template and reference.docx, the fonts, the tool's own source). The manifest records it; a build
whose fingerprints all match writes nothing. Files are hashed through a stat cache kept in the
manifest (statcache.py): only a file whose stat (size, mtime, inode, ctime) moved is read again. A build that finished
also records every file of the data and templates dirs with its hash: when none of them changed (and
the tool, the fonts and the arguments did not), the next build is a no-op without even reading the
data (``_unchanged``); a changed file sends it the full way, data loaded and validated.

Outputs are written atomically, the manifest after
every brief, so a build killed at any moment leaves complete files or none, and the next build
finishes the job. An flock on the output dir (released by the kernel when a process dies) keeps two
builds apart without a lock file that could go stale: the workers never hold it (see outdir), and
they die with the build (a parent-death signal), so a killed build leaves no process behind.
"""

from __future__ import annotations

import copy
import ctypes
import gc
import hashlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from . import __version__
from .collector import collector_paused
from .documents import COUNTY, FORMATS, PROGRAM, SUFFIXES, SUMMARY, Target, default_templates, inputs, output_path, stem
from .errors import BriefError, check_path, os_error_problem
from .outdir import atomic_write, check_out, clean_temporaries, exclusive
from .statcache import StatCache, file_hash, walk  # noqa: F401 - file_hash: others import it from here

if TYPE_CHECKING:
    from .data.dataset import Dataset

# A no-op build reads no data and renders nothing: the data readers, the composers and the writers
# are imported where they are used, so that it does not pay their imports (~300 ms).

MANIFEST = "manifest.json"
CACHE = ".brief-cache.json"  # the stat cache and the last finished build's state: not for users
LOCK = ".build.lock"
T = TypeVar("T")  # what a worker returns


@dataclass(frozen=True)
class Outcome:
    target: Target
    written: list[Path]
    skipped: bool
    name: str = ""  # the brief's file name without suffix, as a user knows it


def targets(ds: Dataset, year: int | None = None) -> list[Target]:
    from .compose.program import has_content  # lazily: see the imports

    out = [Target(COUNTY, cid, y) for (cid, y) in sorted(ds.counties)]
    for pid, program in sorted(ds.programs.items()):
        years = {y for (cid, y) in ds.counties if cid in program.counties}
        out += [Target(SUMMARY, pid, y) for y in sorted(years)]
        # A program year file with figures or highlights is a document of its own.
        out += [Target(PROGRAM, pid, y) for (p, y), own in sorted(ds.program_years.items())
                if p == pid and has_content(own)]
    return [t for t in out if year is None or t.year == year]


_TOOL: dict[str, str] = {}  # the tool's fingerprint, once per process


def tool_fingerprint(cache: StatCache | None = None) -> str:
    """The tool's version and source: a code change rebuilds everything."""
    if "fp" not in _TOOL:
        _TOOL["fp"] = _tool_fingerprint(cache or StatCache())
    return _TOOL["fp"]


def _tool_fingerprint(cache: StatCache) -> str:
    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(str(cache.hash(path)).encode())
    return h.hexdigest()


def font_fingerprint() -> str:
    from .fonts import resolve

    fontset = resolve()
    h = hashlib.sha256()
    for font in (*fontset.roles, *fontset.fallbacks, *fontset.supplements):
        stat = Path(font.path).stat()
        h.update(f"{font.role}:{font.path}:{font.index}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return h.hexdigest()


def fingerprint(ds: Dataset, t: Target, templates: Path, fonts: str,
                cache: StatCache | None = None) -> tuple[str, list[str]]:
    cache = cache or StatCache()
    paths = inputs(ds, t) + [templates / t.template, templates / "reference.docx"]
    h = hashlib.sha256(f"{tool_fingerprint(cache)}|{fonts}|{t}".encode())
    for p in paths:
        h.update(_place(p, ds.root, templates).encode())  # not where the dirs are: a moved data dir is not a change
        digest = cache.hash(p)
        h.update(digest.encode() if digest else b"missing")
    from .compose.issue import issue_fingerprint  # lazily: see the imports

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
        return _resolved(path).relative_to(_resolved(base)).as_posix()
    except ValueError:
        return str(path)


@lru_cache(maxsize=8192)
def _resolved(path: Path) -> Path:
    """``path.resolve()``, once per path and process: a build asks it of every brief's inputs
    against two roots (a stat per component each time, 1,600 counties → seconds)."""
    return path.resolve()


def read_manifest(out: Path) -> dict[str, dict]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return {entry["path"]: entry for entry in data.get("outputs", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_manifest(out: Path, entries: dict[str, dict]) -> None:
    body = {"tool": f"brief {__version__}", "outputs": [entries[k] for k in sorted(entries)]}
    atomic_write(out / MANIFEST, (manifest_text(body) + "\n").encode("utf-8"))


# rel path -> (entry, its text in the manifest): a build rewrites the manifest some 25 times as
# briefs finish, and json.dumps with indent is pure Python: each entry is formatted once. Bounded:
# cleared when it holds more entries than the manifest it serves.
_ENTRY_TEXT: dict[str, tuple[dict, str]] = {}


def manifest_text(body: dict) -> str:
    """``json.dumps(body, ensure_ascii=False, indent=2)``, byte for byte, for the manifest's shape."""
    outputs = body["outputs"]
    if not outputs or list(body) != ["tool", "outputs"]:
        return json.dumps(body, ensure_ascii=False, indent=2)
    if len(_ENTRY_TEXT) > 2 * len(outputs):
        _ENTRY_TEXT.clear()
    texts = []
    for entry in outputs:
        cached = _ENTRY_TEXT.get(entry.get("path"))
        if cached is None or list(cached[0].items()) != list(entry.items()):  # in order, as the text has them
            text = json.dumps(entry, ensure_ascii=False, indent=2).replace("\n", "\n    ")
            cached = _ENTRY_TEXT[entry.get("path")] = (copy.deepcopy(entry), text)
        texts.append("    " + cached[1])
    tool = json.dumps(body["tool"], ensure_ascii=False)
    return '{\n  "tool": ' + tool + ',\n  "outputs": [\n' + ",\n".join(texts) + "\n  ]\n}"


def read_cache(out: Path) -> tuple[StatCache, dict]:
    """The stat cache and the last finished build's state (``_unchanged``); empty when unreadable."""
    try:
        data = json.loads((out / CACHE).read_text(encoding="utf-8"))
        state = data.get("state")
        return StatCache(data.get("stats")), state if isinstance(state, dict) else {}
    except (OSError, ValueError, TypeError, AttributeError):
        return StatCache(), {}


def write_cache(out: Path, cache: StatCache, state: dict | None) -> None:
    body = {"tool": f"brief {__version__}", "state": state or {}, "stats": cache.entries}
    atomic_write(out / CACHE, json.dumps(body, ensure_ascii=False).encode("utf-8"))


def _refuse_undrawable(ds: Dataset) -> None:
    """A character no installed font has would stop one brief mid-build: refuse before any."""
    from .check import refuse_undrawable

    refuse_undrawable(ds)


def _up_to_date(out: Path, entries: dict[str, dict], rels: list[str], fp: str, cache: StatCache) -> bool:
    for rel in rels:
        entry = entries.get(rel)
        if not entry or entry.get("fingerprint") != fp:
            return False
        if cache.hash(out / rel) != entry.get("sha256"):  # None when the file is gone
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
        from .data.dataset import load_dataset  # lazily: see the imports

        _WORKER["ds"] = load_dataset(Path(data))
        _WORKER["templates"] = Path(templates)


def _render(t: Target, out: str) -> list[tuple[str, str]]:
    """Each written file with its sha256, hashed from the bytes in hand (the parent need not read it back)."""
    from .render import make, write_outputs  # lazily: see the imports

    ds, templates = _WORKER["ds"], _WORKER["templates"]
    blobs = make(ds, t, FORMATS, templates)  # type: ignore[arg-type]
    written = write_outputs(ds, t, Path(out), blobs)  # type: ignore[arg-type]
    return [(str(p), hashlib.sha256(data).hexdigest()) for p, data in zip(written, blobs.values(), strict=True)]


def _pdf_digest(t: Target) -> str:
    """The sha256 the brief's PDF would have: rendered in memory, written nowhere."""
    from .render import make  # lazily: see the imports

    ds, templates = _WORKER["ds"], _WORKER["templates"]
    blobs = make(ds, t, ("pdf",), templates)  # type: ignore[arg-type]
    return hashlib.sha256(blobs["pdf"]).hexdigest()


def build(data: Path, out: Path, year: int | None = None, jobs: int = 0, templates: Path | None = None,
          progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    for path, key in ((data, "--data"), (out, "--out"), (templates, "--templates")):
        check_path(path, key)
    check_out(out)
    templates = templates or default_templates()
    jobs = jobs or min(os.cpu_count() or 1, 4)
    cache, state = read_cache(out)
    key = _state_key(data, templates, year, cache)
    if state:
        with exclusive(out, LOCK, "build"):
            entries = read_manifest(out)
            same = _unchanged(state, key, data, out, templates, entries, cache)
            if same is not None:  # nothing changed since a build that finished: no data read at all
                clean_temporaries(out)
                if cache.changed:  # touched files: their new stat, so the next run need not hash them
                    write_cache(out, cache, state)
                return _report([Outcome(t, [], True, name) for t, name in same], progress)
    files = _files(data, out, templates, cache)  # before the data is read: a later edit is seen next time
    from .data.dataset import load_dataset  # lazily: see the imports

    with collector_paused():  # what it reads lives as long as the build
        ds = load_dataset(data)  # refuses before anything is rendered if any file is bad
        _refuse_undrawable(ds)
        wanted = targets(ds, year)
    if not wanted:
        what = f"没有 {year} 年的数据文件" if year else "没有任何县的数据文件"
        raise BriefError.at(str(ds.root / "counties"), None, "--year" if year else "-", what)
    with exclusive(out, LOCK, "build"):
        clean_temporaries(out)
        entries = read_manifest(out)
        todo: list[tuple[Target, str, list[str]]] = []
        outcomes: list[Outcome] = []
        for t, (fp, ins, fresh) in plan(ds, out, wanted, templates, entries, cache).items():
            if fresh:
                outcomes.append(Outcome(t, [], True, stem(ds, t)))
                if progress:
                    progress(outcomes[-1])
            else:
                todo.append((t, fp, ins))
        done = None
        try:
            if todo:
                write_cache(out, cache, None)  # no state until this build finishes: one killed is not a no-op
                _run(todo, ds, out, templates, jobs, entries, outcomes, progress, cache)
            for p in (q for t in wanted for q in inputs(ds, t)):  # images outside the data dir too
                files.setdefault(os.path.abspath(p), cache.hash(p))
            done = {"key": key, "files": files, "targets": [[t.kind.name, t.id, t.year, stem(ds, t)] for t in wanted]}
        finally:  # whatever finished, even if one brief failed; a failed build records no state
            if todo:
                write_manifest(out, entries)
            cache.prune(cache.asked)
            if todo or cache.changed or done != state:
                write_cache(out, cache, done)
        return outcomes


def _report(outcomes: list[Outcome], progress: Callable[[Outcome], None] | None) -> list[Outcome]:
    for o in outcomes:
        if progress:
            progress(o)
    return outcomes


def _state_key(data: Path, templates: Path, year: int | None, cache: StatCache) -> str:
    """What else a build's outputs depend on: the tool, the fonts, where the dirs are, the year asked."""
    where = f"{os.path.abspath(data)}|{os.path.abspath(templates)}|{year}"
    return hashlib.sha256(f"{tool_fingerprint(cache)}|{font_fingerprint()}|{where}".encode()).hexdigest()


def _files(data: Path, out: Path, templates: Path, cache: StatCache) -> dict[str, str | None]:
    """Every file of the data and templates dirs (the output dir left out) with its hash."""
    return {p: cache.hash(p) for root in (data, templates) for p in walk(root, skip=out)}


def _unchanged(state: dict, key: str, data: Path, out: Path, templates: Path, entries: dict[str, dict],
               cache: StatCache) -> list[tuple[Target, str]] | None:
    """The targets of the last finished build, with their names, if nothing it read has changed
    since and its outputs are all there as it wrote them; else None (a full build decides)."""
    from .documents import KINDS

    recorded = state.get("files")
    if state.get("key") != key or not isinstance(recorded, dict) or not isinstance(state.get("targets"), list):
        return None
    now = _files(data, out, templates, cache)
    if any(p not in recorded for p in now):  # a new file
        return None
    if any(cache.hash(p) != digest for p, digest in recorded.items()):  # an edited or deleted file
        return None
    try:
        named = [(Target(KINDS[kind], ident, int(year)), name) for kind, ident, year, name in state["targets"]]
    except (KeyError, TypeError, ValueError):
        return None
    for t, name in named:  # an output deleted or changed by hand is made again
        for suffix in SUFFIXES.values():
            rel = f"{t.year}/{name}{suffix}"
            entry = entries.get(rel)
            if not entry or cache.hash(out / rel) != entry.get("sha256"):
                return None
    return named


def plan(ds: Dataset, out: Path, wanted: list[Target], templates: Path, entries: dict[str, dict] | None = None,
         cache: StatCache | None = None) -> dict[Target, tuple[str, list[str], bool]]:
    """Per target: its fingerprint, its inputs, and whether its outputs are up to date (else a
    build remakes it). ``distribute --dry-run`` asks the same question the same way (its stat
    cache read from the manifest, never written back)."""
    entries = read_manifest(out) if entries is None else entries
    cache = read_cache(out)[0] if cache is None else cache
    _resolved.cache_clear()  # a long-lived process (serve) sees links and moved dirs anew each time
    fonts = font_fingerprint()
    out_plan = {}
    for t in wanted:
        fp, ins = fingerprint(ds, t, templates, fonts, cache)
        rels = [output_path(ds, t, f, Path()).as_posix() for f in FORMATS]
        out_plan[t] = (fp, ins, _up_to_date(out, entries, rels, fp, cache))
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
         entries: dict[str, dict], outcomes: list[Outcome], progress: Callable[[Outcome], None] | None,
         cache: StatCache) -> None:
    meta = {t: (fp, ins) for t, fp, ins in todo}
    last_flush = [time.monotonic(), 0.0]  # when the manifest was last written, and how long that took

    def record(t: Target, hashed: list[tuple[str, str]]) -> None:
        fp, ins = meta[t]
        written = [p for p, _ in hashed]
        for p, digest in hashed:
            rel = Path(p).relative_to(out).as_posix()
            cache.record(p, digest)
            entries[rel] = {"path": rel, "sha256": digest, "inputs": ins, "fingerprint": fp}
        # The manifest is what spares a killed build's finished briefs: keep it current, but
        # rewriting it after each of a hundred briefs cost the parent a second, and with 1,600
        # counties one rewrite takes tens of ms: wait 50 times as long as the last one took.
        now = time.monotonic()
        if now - last_flush[0] > max(0.5, 50 * last_flush[1]):
            write_manifest(out, entries)
            last_flush[:] = [time.monotonic(), time.monotonic() - now]
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
    with collector_paused():  # imports: long-lived objects, collected and frozen by _frozen below
        _preload(templates)
        import multiprocessing  # lazily, with the pool: a no-op build starts none (~50 ms of imports)
        from concurrent.futures import ProcessPoolExecutor, as_completed

    # Forked workers inherit the parsed data, the imported writers and the parsed fonts; elsewhere
    # (spawn) each worker reads them once in its initializer. Either way a worker dies with us.
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forking else "spawn")
    initargs = (os.getpid(),) if forking else (os.getpid(), str(ds.root), str(templates))
    with _frozen(), ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                                        initargs=initargs) as pool:
        # Summaries are the longest briefs: start them first so no worker idles at the end.
        ordered = sorted(todo, key=lambda item: item[0].kind is not SUMMARY)
        futures = {pool.submit(work, t): t for t, _, _ in ordered}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result
        finally:  # a failure stops the rest: what is queued is dropped, what runs is waited for
            pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _frozen() -> Iterator[None]:
    """The parsed data is shared with forked workers page by page until something writes to it:
    frozen, the collector never walks (and so never copies) those objects in any process."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _preload(templates: Path) -> None:
    """What every brief needs, done once in the parent before the workers fork."""
    from .writers import docx, pdf  # lazily: see the imports; imported here for the children too

    pdf.warm()
    docx.warm(templates / "reference.docx")


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
