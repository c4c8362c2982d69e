"""Compiled regexes and dataclass methods kept between runs (codecache.py): every kept entry equals a
fresh compile, a render from the cache makes the same bytes, and a damaged, foreign or odd entry is
compiled afresh."""

from __future__ import annotations

import _sre
import dataclasses
import hashlib
import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from brief import codecache
from brief.privatecache import write_sealed
from helpers import DATA, ROOT


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache file of its own, written whatever a run's new entries cost."""
    monkeypatch.setenv(codecache.CACHE_ENV, str(tmp_path / "code"))
    monkeypatch.setattr(codecache, "WORTH_WRITING", 0.0)
    return codecache.cache_file("test")


def fresh(pattern: str | bytes, flags: int = 0) -> re.Pattern:
    return codecache._COMPILE(pattern, flags)


def same(a: re.Pattern, b: re.Pattern) -> bool:
    """Pattern ``==`` compares pattern, flags and the compiled code; the group names on top."""
    return a == b and a.groups == b.groups and a.groupindex == b.groupindex


def compile_uncached(pattern: str | bytes, flags: int = 0) -> re.Pattern:
    re.purge()  # past re's own in-process cache, as a new process would be
    return re.compile(pattern, flags)


def patterns(path: Path) -> dict:
    return codecache._load(path)[0]


def make_class() -> type:
    """A dataclass with every method dataclasses writes (init, repr, eq, order, hash, frozen)."""

    @dataclasses.dataclass(frozen=True, order=True)
    class Figure:
        label: str
        value: int = 0
        notes: tuple[str, ...] = dataclasses.field(default=(), compare=False)

    return Figure


METHODS = ("__init__", "__repr__", "__eq__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__setattr__",
           "__delattr__")


def code_of(cls: type, name: str) -> object:
    fn = getattr(cls, name)
    return getattr(fn, "__wrapped__", fn).__code__  # __repr__ is wrapped by recursive_repr


PATTERNS = [(f"(?P<year>[0-9]{{4}})年|{os.getpid()}", int(re.I)),
            (rb"(?P<n>\d+)\s*(?:%|\xe4\xb8\x87)", int(re.M)),
            ("[一-鿿]{2}$", 0)]


def test_a_second_command_takes_its_patterns_and_methods_from_the_file_and_they_work_alike(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with codecache.kept("test"):
        first = [compile_uncached(p, f) for p, f in PATTERNS]
        made = make_class()
    assert re._compiler.compile is codecache._COMPILE and not hasattr(dataclasses, "exec")  # put back after
    assert set(patterns(cache)) >= set(PATTERNS)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"compiled although the cache had it: {args[0]!r}")

    monkeypatch.setattr(codecache, "_arguments", refuse)
    monkeypatch.setattr(codecache, "_compiled", refuse)
    with codecache.kept("test"):
        served = [compile_uncached(p, f) for p, f in PATTERNS]
        from_file = make_class()
    for a, b, (p, f) in zip(first, served, PATTERNS, strict=True):
        assert same(a, fresh(p, f)) and same(b, fresh(p, f))
    assert served[0].match("2023年").group("year") == "2023"
    assert served[1].findall("12 %\n7\xe4\xb8\x87".encode("latin-1")) == [b"12", b"7"]
    assert served[2].search("英吉沙县") and not served[2].search("英吉沙1")

    plain = make_class()
    for name in METHODS:
        assert code_of(from_file, name) == code_of(plain, name) == code_of(made, name), name
    a, b = from_file("甲", 2, ("x",)), from_file("甲", 2)
    assert a == b and hash(a) == hash(b) and repr(b) == repr(plain("甲", 2))
    assert repr(b).endswith("Figure(label='甲', value=2, notes=())")
    assert from_file("甲", 1) < a
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.value = 3  # type: ignore[misc]


def test_a_damaged_file_is_compiled_afresh_and_written_again(cache: Path) -> None:
    with codecache.kept("test"):
        compile_uncached(*PATTERNS[0])
    data = bytearray(cache.read_bytes())
    data[-3] ^= 0x55
    cache.write_bytes(bytes(data))
    assert codecache._load(cache) == ({}, {})
    with codecache.kept("test"):
        assert same(compile_uncached(*PATTERNS[0]), fresh(*PATTERNS[0]))
    assert PATTERNS[0] in patterns(cache)


def test_an_entry_sre_refuses_or_from_another_build_is_never_used(cache: Path) -> None:
    pattern, flags = PATTERNS[0]
    args = codecache._arguments(pattern, flags)
    bogus = {(pattern, flags): (args[0], [999999], *args[2:])}
    write_sealed(cache, marshal.dumps((codecache._BUILD, bogus, {"x = 1": "not code"})))
    with codecache.kept("test"):
        assert same(compile_uncached(pattern, flags), fresh(pattern, flags))
        ns: dict[str, int] = {}
        dataclasses.exec("x = 1", ns, ns)  # type: ignore[attr-defined]  # as dataclasses runs its methods
        assert ns["x"] == 1
    assert patterns(cache)[(pattern, flags)] == args  # the good ones written over them
    assert codecache._load(cache)[1]["x = 1"] == compile("x = 1", "<string>", "exec", dont_inherit=True)

    other_build = ("another", *codecache._BUILD[1:])
    write_sealed(cache, marshal.dumps((other_build, {(pattern, flags): args}, {})))
    assert codecache._load(cache) == ({}, {})


def test_a_dir_others_may_write_to_is_neither_read_nor_written(cache: Path) -> None:
    with codecache.kept("test"):
        compile_uncached(*PATTERNS[0])
    before = cache.read_bytes()
    cache.parent.chmod(0o777)
    assert codecache._load(cache) == ({}, {})
    with codecache.kept("test"):
        compile_uncached(*PATTERNS[1])
    assert cache.read_bytes() == before


def test_files_of_other_python_builds_beyond_a_few_are_removed(cache: Path) -> None:
    cache.parent.mkdir(mode=0o700, parents=True)
    stale = [cache.parent / f"test-{i:016x}.marshal" for i in range(codecache.BUILDS_KEPT + 1)]
    for i, path in enumerate(stale):
        path.write_bytes(b"")
        os.utime(path, ns=(i * 10**9, i * 10**9))  # older than this run's
    other_command = cache.parent / "validate-0000000000000000.marshal"
    other_command.write_bytes(b"")
    with codecache.kept("test"):
        compile_uncached(*PATTERNS[0])
    left = sorted(p.name for p in cache.parent.iterdir())
    assert left == sorted([cache.name, other_command.name, *(p.name for p in stale[-codecache.BUILDS_KEPT + 1:])])


def test_only_known_cpython_versions_are_served(monkeypatch: pytest.MonkeyPatch) -> None:
    assert codecache.supported((3, 11), "cpython") and codecache.supported((3, 13), "cpython")
    assert not codecache.supported((3, 14), "cpython") and not codecache.supported((3, 10), "cpython")
    assert not codecache.supported((3, 11), "pypy")
    monkeypatch.setattr(codecache, "supported", lambda: False)
    with codecache.kept("test"):
        assert re._compiler.compile is codecache._COMPILE and not hasattr(dataclasses, "exec")


def test_re_and_dataclasses_are_put_back_when_the_command_fails(cache: Path) -> None:
    with pytest.raises(KeyError), codecache.kept("test"):
        assert re._compiler.compile is not codecache._COMPILE and hasattr(dataclasses, "exec")
        raise KeyError
    assert re._compiler.compile is codecache._COMPILE and not hasattr(dataclasses, "exec")


def test_each_command_keeps_its_own_file_and_a_light_one_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from brief.cli import main

    monkeypatch.setenv(codecache.CACHE_ENV, str(tmp_path / "code"))
    monkeypatch.setattr(codecache, "WORTH_WRITING", 0.0)
    runner = CliRunner()
    assert runner.invoke(main, ["validate", "--data", str(DATA)]).exit_code == 0
    assert runner.invoke(main, ["init", str(tmp_path / "new")]).exit_code == 0  # too light to be worth it
    assert [p.name.split("-")[0] for p in (tmp_path / "code").iterdir()] == ["validate"]
    assert re._compiler.compile is codecache._COMPILE and not hasattr(dataclasses, "exec")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_a_render_from_the_cache_makes_the_same_files_and_every_kept_entry_equals_a_fresh_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / "code"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))

    def render(out: Path, cache: Path) -> dict[str, str]:
        subprocess.run([sys.executable, "-m", "brief", "render", "yingjisha", "--year", "2023", "--data", str(DATA),
                        "--out", str(out)], env=dict(env, **{codecache.CACHE_ENV: str(cache)}), check=True,
                       capture_output=True)
        return {p.name: sha(p) for p in sorted((out / "2023").iterdir())}

    (tmp_path / "file").write_text("")  # a cache dir that is a file: no cache
    plain = render(tmp_path / "plain", tmp_path / "file")
    filling = render(tmp_path / "filling", cache_dir)
    monkeypatch.setenv(codecache.CACHE_ENV, str(cache_dir))
    kept_file = codecache.cache_file("render")
    written = kept_file.stat().st_mtime_ns
    served = render(tmp_path / "served", cache_dir)
    assert len(plain) == 2 and plain == filling == served
    assert kept_file.stat().st_mtime_ns == written  # a run with nothing new does not rewrite it

    kept_patterns, kept_methods = codecache._load(kept_file)
    assert len(kept_patterns) > 150 and len(kept_methods) > 300
    assert any("://" in str(p) for p, _ in kept_patterns)  # reportlab's URL pattern, the costliest
    for (pattern, flags), args in kept_patterns.items():
        assert same(_sre.compile(pattern, *args), fresh(pattern, flags)), pattern
    for source, code in kept_methods.items():
        assert code == compile(source, "<string>", "exec", dont_inherit=True), source


@pytest.mark.parametrize("odd", ["fifo", "dir"])
def test_a_fifo_or_dir_at_the_files_name_neither_hangs_nor_fails_a_command(cache: Path, odd: str) -> None:
    cache.parent.mkdir(mode=0o700, parents=True)
    os.mkfifo(cache) if odd == "fifo" else cache.mkdir()
    code = (f"import sys; sys.path.insert(0, {str(ROOT / 'src')!r}); from pathlib import Path; "
            f"from brief import codecache; print(codecache._load(Path({str(cache)!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0 and done.stdout.strip() == "({}, {})", done.stderr  # open() once hung on a FIFO
    with codecache.kept("test"):
        assert same(compile_uncached(*PATTERNS[0]), fresh(*PATTERNS[0]))


def test_an_entry_too_big_to_be_ours_is_not_read(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with codecache.kept("test"):
        compile_uncached(*PATTERNS[0])
    assert patterns(cache)
    monkeypatch.setattr("brief.privatecache.MAX_ENTRY", cache.stat().st_size - 1)
    assert codecache._load(cache) == ({}, {})


def test_a_temporary_a_killed_run_left_goes_when_the_file_is_next_written(cache: Path) -> None:
    cache.parent.mkdir(mode=0o700, parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = cache.parent / f".{cache.name}.{int(dead.stdout)}.k9x2ab.tmp"  # as atomic_write names it
    left.write_bytes(b"half a file")
    with codecache.kept("test"):
        compile_uncached(*PATTERNS[0])
    assert not left.exists() and PATTERNS[0] in patterns(cache)


def test_only_its_own_temporaries_go_and_only_beside_it(cache: Path) -> None:
    cache.parent.mkdir(mode=0o700, parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    others = [cache.parent / f".notes.txt.{int(dead.stdout)}.k9x2ab.tmp",  # another program's, named alike
              cache.parent / "sub" / f".{cache.name}.{int(dead.stdout)}.k9x2ab.tmp"]
    for path in others:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"not ours")
    with codecache.kept("test"):
        compile_uncached(*PATTERNS[0])
    assert all(path.exists() for path in others)
