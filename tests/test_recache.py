"""Compiled regexes kept between runs (recache.py): every kept pattern equals a fresh compile, a
render from the cache makes the same bytes, and a damaged, foreign or odd entry is compiled afresh."""

from __future__ import annotations

import _sre
import hashlib
import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from brief import recache
from brief.privatecache import write_sealed
from helpers import DATA, ROOT


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache file of its own, written whatever a run's new patterns cost."""
    monkeypatch.setenv(recache.CACHE_ENV, str(tmp_path / "regex"))
    monkeypatch.setattr(recache, "WORTH_WRITING", 0.0)
    return recache.cache_file()


def fresh(pattern: str | bytes, flags: int = 0) -> re.Pattern:
    return recache._COMPILE(pattern, flags)


def same(a: re.Pattern, b: re.Pattern) -> bool:
    """Pattern ``==`` compares pattern, flags and the compiled code; the group names on top."""
    return a == b and a.groups == b.groups and a.groupindex == b.groupindex


def compile_uncached(pattern: str | bytes, flags: int = 0) -> re.Pattern:
    re.purge()  # past re's own in-process cache, as a new process would be
    return re.compile(pattern, flags)


PATTERNS = [(f"(?P<year>[0-9]{{4}})年|{os.getpid()}", int(re.I)),
            (rb"(?P<n>\d+)\s*(?:%|\xe4\xb8\x87)", int(re.M)),
            ("[一-鿿]{2}$", 0)]


def test_a_second_command_takes_the_patterns_from_the_file_and_they_match_alike(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with recache.kept():
        first = [compile_uncached(p, f) for p, f in PATTERNS]
    assert re._compiler.compile is recache._COMPILE  # put back after
    assert {k for k in recache._load(cache)} >= set(PATTERNS)

    def refuse(pattern: object, flags: int) -> None:
        raise AssertionError(f"compiled although the cache had it: {pattern!r}")

    monkeypatch.setattr(recache, "_arguments", refuse)
    with recache.kept():
        served = [compile_uncached(p, f) for p, f in PATTERNS]
    for a, b, (p, f) in zip(first, served, PATTERNS, strict=True):
        assert same(a, fresh(p, f)) and same(b, fresh(p, f))
    assert served[0].match("2023年").group("year") == "2023"
    assert served[1].findall("12 %\n7\xe4\xb8\x87".encode("latin-1")) == [b"12", b"7"]
    assert served[2].search("英吉沙县") and not served[2].search("英吉沙1")


def test_a_damaged_file_is_compiled_afresh_and_written_again(cache: Path) -> None:
    with recache.kept():
        compile_uncached(*PATTERNS[0])
    data = bytearray(cache.read_bytes())
    data[-3] ^= 0x55
    cache.write_bytes(bytes(data))
    assert recache._load(cache) == {}
    with recache.kept():
        assert same(compile_uncached(*PATTERNS[0]), fresh(*PATTERNS[0]))
    assert PATTERNS[0] in recache._load(cache)


def test_an_entry_sre_refuses_or_from_another_build_is_never_used(cache: Path) -> None:
    pattern, flags = PATTERNS[0]
    args = recache._arguments(pattern, flags)
    bogus = {(pattern, flags): (args[0], [999999], *args[2:])}
    write_sealed(cache, marshal.dumps((recache._BUILD, bogus)))
    with recache.kept():
        assert same(compile_uncached(pattern, flags), fresh(pattern, flags))
    assert recache._load(cache)[(pattern, flags)] == args  # the good one written over it

    other_build = ("another", *recache._BUILD[1:])
    write_sealed(cache, marshal.dumps((other_build, {(pattern, flags): args})))
    assert recache._load(cache) == {}


def test_a_dir_others_may_write_to_is_neither_read_nor_written(cache: Path) -> None:
    with recache.kept():
        compile_uncached(*PATTERNS[0])
    before = cache.read_bytes()
    cache.parent.chmod(0o777)
    assert recache._load(cache) == {}
    with recache.kept():
        compile_uncached(*PATTERNS[1])
    assert cache.read_bytes() == before


def test_only_known_cpython_versions_are_served(monkeypatch: pytest.MonkeyPatch) -> None:
    assert recache.supported((3, 11), "cpython") and recache.supported((3, 13), "cpython")
    assert not recache.supported((3, 14), "cpython") and not recache.supported((3, 10), "cpython")
    assert not recache.supported((3, 11), "pypy")
    monkeypatch.setattr(recache, "supported", lambda: False)
    with recache.kept():
        assert re._compiler.compile is recache._COMPILE


def test_re_is_put_back_when_the_command_fails(cache: Path) -> None:
    with pytest.raises(KeyError), recache.kept():
        assert re._compiler.compile is not recache._COMPILE
        raise KeyError
    assert re._compiler.compile is recache._COMPILE


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_a_render_from_the_cache_makes_the_same_files_and_every_kept_pattern_equals_a_fresh_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / "regex"
    env = {k: v for k, v in os.environ.items() if k != recache.CACHE_ENV}
    env["PYTHONPATH"] = str(ROOT / "src")

    def render(out: Path, **extra: str) -> dict[str, str]:
        subprocess.run([sys.executable, "-m", "brief", "render", "yingjisha", "--year", "2023", "--data", str(DATA),
                        "--out", str(out)], env=dict(env, **extra), check=True, capture_output=True)
        return {p.name: sha(p) for p in sorted((out / "2023").iterdir())}

    (tmp_path / "file").write_text("")  # a cache dir that is a file: no cache
    plain = render(tmp_path / "plain", **{recache.CACHE_ENV: str(tmp_path / "file")})
    filling = render(tmp_path / "filling", **{recache.CACHE_ENV: str(cache_dir)})
    monkeypatch.setenv(recache.CACHE_ENV, str(cache_dir))
    kept_file = recache.cache_file()
    written = kept_file.stat().st_mtime_ns
    served = render(tmp_path / "served", **{recache.CACHE_ENV: str(cache_dir)})
    assert len(plain) == 2 and plain == filling == served
    assert kept_file.stat().st_mtime_ns == written  # a run with nothing new does not rewrite it

    entries = recache._load(kept_file)
    assert len(entries) > 150
    assert any("://" in str(p) for p, _ in entries)  # reportlab's URL pattern, the costliest
    for (pattern, flags), args in entries.items():
        assert same(_sre.compile(pattern, *args), fresh(pattern, flags)), pattern
