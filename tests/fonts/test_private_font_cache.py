"""The font cache follows privatecache.py's rules (fonts/cache.py): used only in a dir that is the
user's own and that no one else may write to, entries read only when they are the user's own regular
files (no links), converted fonts used only when their bytes have the sha256 sealed beside them.
Another user's planted entry would change glyphs or widths in a PDF."""

from __future__ import annotations

import hashlib
import mmap
import os
from pathlib import Path

import pytest

from brief.fonts import cache, config, convert, faces
from brief.fonts.discover import ResolvedFont
from brief.privatecache import make_private_dirs, unsafe_ancestor

NOBODY = 65534
RUNS: list[int] = []  # conversions run by the ``cff`` fixture's converter
root_only = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")


@pytest.fixture
def where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "fonts"
    monkeypatch.setenv(config.CACHE_ENV, str(directory))
    cache._cache_dir.cache_clear()
    convert.forget()
    yield directory
    cache._cache_dir.cache_clear()
    convert.forget()


@root_only
def test_a_dir_of_another_user_is_not_used(where: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where.mkdir(mode=0o700)
    os.chown(where, NOBODY, NOBODY)
    used = cache.cache_dir()
    assert used != where and not used.is_relative_to(where)
    assert (used.stat().st_mode & 0o777, used.stat().st_uid) == (0o700, os.getuid())
    assert os.environ[config.CACHE_ENV] == str(used)  # the run's workers use it too, and say nothing
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("提示：") and str(where) in err[0] and "BRIEF_FONT_CACHE_DIR" in err[0]


def test_an_own_dir_others_may_write_to_is_made_private(where: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An older brief made its dirs with the umask's mode (0775 under umask 002): such a dir of the
    user's own loses group and others' write and is used; refusing it would convert the fonts again
    on every run."""
    where.mkdir()
    (where / "faces").mkdir()
    os.chmod(where / "faces", 0o777)  # a sub-dir counts as much as the dir
    os.chmod(where, 0o775)
    assert cache.cache_dir() == where
    assert (where.stat().st_mode & 0o777, (where / "faces").stat().st_mode & 0o777) == (0o755, 0o755)
    assert capsys.readouterr().err == ""


def test_an_entry_others_may_write_to_is_not_read(where: Path) -> None:
    entry = cache.cache_dir() / "info" / "shared.json"
    cache.write_json(entry, {"family": "Shared"})
    assert cache.read_json(entry) == {"family": "Shared"}
    os.chmod(entry, 0o666)
    assert cache.read_json(entry) is None


@root_only
def test_a_dir_of_another_user_that_others_may_write_to_is_not_used(where: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    where.mkdir()
    os.chmod(where, 0o777)
    os.chown(where, NOBODY, NOBODY)
    assert cache.cache_dir() != where
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "BRIEF_FONT_CACHE_DIR" in err


def test_a_private_dir_is_used_and_its_subdirs_made_private(where: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cache.cache_dir() == where
    assert all((where / sub).stat().st_mode & 0o777 == 0o700 for sub in cache.SUBDIRS)
    assert capsys.readouterr().err == ""


def test_a_linked_entry_is_not_read(where: Path) -> None:
    real = cache.cache_dir() / "info" / "real.marshal"
    cache.write_marshal(real, {"a": 1})
    assert cache.read_marshal(real) == {"a": 1}
    link = real.with_name("link.marshal")
    link.symlink_to(real)
    assert cache.read_marshal(link) is None
    (where / "info" / "link.json").symlink_to(real.with_name("x.json"))
    cache.write_json(real.with_name("x.json"), [1])
    assert cache.read_json(where / "info" / "link.json") is None


@root_only
def test_an_entry_of_another_user_is_not_read(where: Path) -> None:
    entry = cache.cache_dir() / "info" / "planted.json"
    cache.write_json(entry, {"family": "Planted"})
    assert cache.read_json(entry) == {"family": "Planted"}
    os.chown(entry, NOBODY, NOBODY)
    assert cache.read_json(entry) is None


@pytest.fixture
def cff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: Path) -> ResolvedFont:
    """A CFF font whose conversion gives ``b"converted"`` (and counts how often it ran)."""
    source = tmp_path / "Source.otf"
    source.write_bytes(b"OTTO")
    RUNS.clear()
    monkeypatch.setattr(convert, "source_coverage", lambda font: frozenset({0x4E00}))
    monkeypatch.setattr(convert, "_convert", lambda path, index, cps: RUNS.append(1) or b"converted")
    font = ResolvedFont("body", str(source), 0, "Source", "Regular", "Source-Regular", "cff")
    return font


def test_a_converted_font_is_sealed_and_used(cff: ResolvedFont) -> None:
    out = convert.convert_cff(cff)
    convert.forget()
    assert convert.convert_cff(cff) == out and out.read_bytes() == b"converted"
    assert RUNS == [1]


def test_a_damaged_converted_font_is_converted_again(cff: ResolvedFont) -> None:
    out = convert.convert_cff(cff)
    st = out.stat()
    out.write_bytes(b"damaged!!")  # in place, its old mtime put back: the ctime still tells
    os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
    convert.forget()
    assert convert.convert_cff(cff) == out and out.read_bytes() == b"converted"
    assert len(RUNS) == 2


def test_an_unsealed_or_linked_converted_font_is_converted_again(cff: ResolvedFont, tmp_path: Path) -> None:
    out = convert.converted_path(cff)
    out.write_bytes(b"planted")  # no seal: not one brief made
    assert convert.convert_cff(cff) == out and out.read_bytes() == b"converted"
    planted = tmp_path / "planted.ttf"
    planted.write_bytes(b"converted")
    out.unlink()
    out.symlink_to(planted)  # the right bytes, but through a link
    convert.forget()
    convert.convert_cff(cff)
    assert not out.is_symlink() and len(RUNS) == 2


@root_only
def test_a_foreign_converted_font_is_converted_again(cff: ResolvedFont) -> None:
    out = convert.convert_cff(cff)
    os.chown(out, NOBODY, NOBODY)
    convert.forget()
    convert.convert_cff(cff)
    assert out.stat().st_uid == os.getuid() and len(RUNS) == 2


def test_a_converted_font_is_hashed_only_when_its_stamp_is_new(
    cff: ResolvedFont, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = convert.convert_cff(cff)
    hashed: list[int] = []
    real = hashlib.file_digest
    monkeypatch.setattr(hashlib, "file_digest", lambda *a: hashed.append(1) or real(*a))
    assert convert.is_converted(out) and hashed == []
    os.utime(out)  # a new stamp, the same bytes: hashed once, then sealed under it
    assert convert.is_converted(out) and convert.is_converted(out) and hashed == [1]


def test_a_font_others_may_write_to_is_read_not_mapped(tmp_path: Path) -> None:
    font = tmp_path / "shared.ttf"
    font.write_bytes(b"\0\1\0\0" + bytes(100))
    data, _ = faces.map_file(str(font))
    assert isinstance(data, mmap.mmap)  # the user's own: mapped, shared between workers
    data.close()
    os.chmod(font, 0o666)  # another user could cut it short under the mapping: SIGBUS
    data, _ = faces.map_file(str(font))
    assert type(data) is bytes and data[:4] == b"\0\1\0\0"


@pytest.mark.slow
def test_a_pdf_is_drawn_with_the_fonts_brief_made_not_planted_ones(tmp_path: Path) -> None:
    """The body font's converted copy replaced by a link to another converted font (the heading's): the
    PDF is the one a clean cache gives, not one set in the wrong face (its widths and glyphs)."""
    import shutil

    import brief.fonts as fonts
    from fonts.test_fonts import _pdf_in_child  # tests/ is on sys.path: tests/fonts is "fonts"

    fonts.forget()
    body, heading = fonts.resolve()["body"], fonts.resolve()["heading"]
    if not (body.cff and heading.cff):
        pytest.skip("needs two CFF role fonts (Fandol)")
    clean_cache = tmp_path / "clean"
    shutil.copytree(convert.cache_dir(), clean_cache, ignore=shutil.ignore_patterns("faces", "info", "*.lock"))
    clean = _pdf_in_child(clean_cache)
    planted = tmp_path / "planted"
    shutil.copytree(clean_cache, planted)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(config.CACHE_ENV, str(planted))
        target, other = convert.converted_path(body), convert.converted_path(heading)
    assert target.parent == planted
    target.unlink()
    target.symlink_to(other)
    assert _pdf_in_child(planted) == clean
    assert not target.is_symlink() and convert.is_converted(target)


def test_a_dir_that_hangs_from_one_others_may_write_to_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)  # anyone could rename fonts/ away and put theirs there after the check
    monkeypatch.setenv(config.CACHE_ENV, str(shared / "cache" / "fonts"))
    cache._cache_dir.cache_clear()
    try:
        assert not cache.cache_dir().is_relative_to(shared)
        assert str(shared) in capsys.readouterr().err
        os.chmod(shared, 0o1777)  # sticky, as /tmp: only the owner may rename
        monkeypatch.setenv(config.CACHE_ENV, str(shared / "cache" / "fonts"))
        cache._cache_dir.cache_clear()
        assert cache.cache_dir() == shared / "cache" / "fonts"
    finally:
        cache._cache_dir.cache_clear()


def test_missing_dirs_are_made_private_whatever_the_umask(where: Path) -> None:
    deep = where / "a" / "b"
    old = os.umask(0o002)  # Ubuntu's default for users: mkdir(parents=True) would make 0775 dirs
    try:
        make_private_dirs(deep)
    finally:
        os.umask(old)
    assert [p.stat().st_mode & 0o777 for p in (where, where / "a", deep)] == [0o700] * 3
    assert unsafe_ancestor(deep / "fonts") is None
