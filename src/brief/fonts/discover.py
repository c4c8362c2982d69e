"""Find the installed font for each role (no reportlab here): ``resolve() -> FontSet``."""

from __future__ import annotations

import glob
import os
import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import BriefError
from . import config
from .cache import cache_dir, digest, file_stamp, read_json, read_marshal, write_json, write_marshal
from .config import Candidate

INFO_VERSION = 1


@dataclass(frozen=True)
class FontInfo:
    """Facts read from a font file's ``name`` table (cached on disk: fontTools costs ~40 ms/face)."""

    family: str
    style: str
    full_name: str
    ps_name: str
    outline: str  # "glyf" (TrueType, reportlab embeds it) or "cff" (must be converted)

    @property
    def display_name(self) -> str:
        return _display_name(self.family, self.style)


def _display_name(family: str, style: str) -> str:
    """"Noto Serif CJK SC Bold", "AR PL UMing CN": the style only when it says something."""
    if style and style.lower() not in ("regular", "book", "normal", "light", "medium"):
        if not family.lower().endswith(style.lower()):
            return f"{family} {style}"
    return family


@dataclass(frozen=True)
class ResolvedFont:
    """The font file chosen for a role (or for the fallback chain)."""

    role: str  # a PDF role, "fallback" or "supplement"
    path: str
    index: int  # face inside a .ttc (0 otherwise)
    family: str
    style: str
    ps_name: str
    outline: str  # "glyf" or "cff"
    note: str | None = None  # set when the font stands in for the real style
    origin: str = "config"  # "config" or the environment variable that chose it

    @property
    def cff(self) -> bool:
        return self.outline == "cff"

    @property
    def display_name(self) -> str:
        return _display_name(self.family, self.style)


@dataclass(frozen=True)
class FontSet:
    """One font per PDF role (``config.PDF_ROLES``), plus the fallback chain for missing glyphs."""

    roles: tuple[ResolvedFont, ...]
    fallbacks: tuple[ResolvedFont, ...]  # TrueType fonts, tried in order
    supplements: tuple[ResolvedFont, ...]  # CFF fonts, converted per character when needed

    def __getitem__(self, role: str) -> ResolvedFont:
        for font in self.roles:
            if font.role == role:
                return font
        raise KeyError(role)

    def __iter__(self) -> Iterator[ResolvedFont]:
        return iter(self.roles)


# -- font files -----------------------------------------------------------------------------------


def _expand(pattern: str) -> list[str]:
    pattern = os.path.expanduser(os.path.expandvars(pattern))
    if "$" in pattern:  # an unset variable
        return []
    return sorted(glob.glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]


@lru_cache(maxsize=1)
def _file_index() -> dict[str, str]:
    """Lower-cased file name -> path, over ``config.FONT_DIRS`` (first directory wins)."""
    index: dict[str, str] = {}
    seen: set[str] = set()
    for pattern in config.FONT_DIRS:
        for top in _expand(pattern):
            real = os.path.realpath(top)
            if real in seen or not os.path.isdir(top):
                continue
            seen.add(real)
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames.sort()
                for name in sorted(filenames):
                    if name.lower().endswith((".ttf", ".otf", ".ttc", ".otc")):
                        index.setdefault(name.lower(), os.path.join(dirpath, name))
    return index


def _find_file(name: str) -> str | None:
    if os.path.isabs(os.path.expanduser(name)):
        path = os.path.expanduser(name)
        return path if os.path.isfile(path) else None
    return _file_index().get(name.lower())


def face_count(path: str) -> int:
    """Number of faces in the file (1 for .ttf/.otf)."""
    with open(path, "rb") as fh:
        head = fh.read(12)
    if head[:4] == b"ttcf" and len(head) == 12:
        return int(struct.unpack(">I", head[8:12])[0])
    return 1


_info_memo: dict[tuple[str, int, int, int], FontInfo] = {}
# The facts of every face resolve() looks at (~25), also kept together in one entry: read in one go,
# not one file each (~1.5 ms of every cold start). Per cache dir: (its facts, whether any is new).
_together: dict[Path, tuple[dict[str, Any], list[bool]]] = {}


def _is_info(data: Any) -> bool:
    return (type(data) is dict and set(data) == set(FontInfo.__dataclass_fields__)
            and all(type(v) is str for v in data.values()))


def _together_entry(where: Path) -> Path:
    return where / "info" / f"faces-{digest('faces', INFO_VERSION)}.marshal"


def _facts_together() -> tuple[dict[str, Any], list[bool]]:
    where = cache_dir()
    got = _together.get(where)
    if got is None:
        facts = read_marshal(_together_entry(where))  # sealed: a damaged entry reads as None, and is made again
        got = _together[where] = (facts if type(facts) is dict else {}, [False])
    return got


def _keep_facts_together() -> None:
    """Write the facts read one by one since the entry was read (once per resolve, when any)."""
    for where, (facts, new) in _together.items():
        if new[0]:
            new[0] = False
            try:
                write_marshal(_together_entry(where), facts)
            except OSError:  # a read-only cache only costs time
                pass


def font_info(path: str, index: int = 0) -> FontInfo:
    """Names and outline type of one face, from the disk cache or read once with fontTools."""
    apath, size, mtime = file_stamp(path)
    key = (apath, size, mtime, index)
    if key in _info_memo:
        return _info_memo[key]
    facts, new = _facts_together()
    name = f"{apath}\0{size}\0{mtime}\0{index}"
    data = facts.get(name)
    if not _is_info(data):
        entry = cache_dir() / "info" / f"{digest('info', INFO_VERSION, apath, size, mtime, index)}.json"
        data = read_json(entry)
        if not _is_info(data):
            data = _read_info(path, index)
            try:
                write_json(entry, data)
            except OSError:  # a read-only cache only costs time
                pass
        facts[name] = data
        new[0] = True
    info = _info_memo[key] = FontInfo(**data)
    return info


def _read_info(path: str, index: int) -> dict[str, str]:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            name = font["name"]
            tags = set(font.keys())
            return {
                "family": name.getBestFamilyName() or os.path.basename(path),
                "style": name.getBestSubFamilyName() or "",
                "full_name": name.getBestFullName() or "",
                "ps_name": name.getDebugName(6) or "",
                "outline": "glyf" if "glyf" in tags else "cff" if ("CFF " in tags or "CFF2" in tags) else "none",
            }
    except (TTLibError, OSError, KeyError, struct.error, AssertionError) as exc:
        raise BriefError.at(path, None, "font", f"不是可读的字体文件：{exc}") from exc


def _pick_face(path: str, face: int | str) -> int | None:
    """The index of the requested face, or None when the collection has no such face."""
    count = face_count(path)
    if isinstance(face, int):
        return face if face < count else None
    if count == 1:
        return 0
    wanted = face.casefold()
    for i in range(count):
        info = font_info(path, i)
        if wanted in (info.family.casefold(), info.full_name.casefold(), f"{info.family} {info.style}".casefold()):
            return i
    return None


def _resolved(role: str, path: str, index: int, note: str | None, origin: str) -> ResolvedFont:
    info = font_info(path, index)
    return ResolvedFont(
        role=role,
        path=os.path.abspath(path),
        index=index,
        family=info.family,
        style=info.style,
        ps_name=info.ps_name,
        outline=info.outline,
        note=note.format(family=info.display_name) if note else None,
        origin=origin,
    )


def _from_candidates(role: str, candidates: tuple[Candidate, ...]) -> list[ResolvedFont]:
    out = []
    for cand in candidates:
        path = _find_file(cand.file)
        if path is None:
            continue
        index = _pick_face(path, cand.face)
        if index is None:
            continue
        font = _resolved(role, path, index, cand.note, "config")
        if font.outline in ("glyf", "cff"):
            out.append(font)
    return out


_ENV_VALUE = re.compile(r"(.+?)(?::(\d+))?")


def _from_env(role: str, var: str, value: str) -> ResolvedFont:
    m = _ENV_VALUE.fullmatch(value.strip())
    path = os.path.expanduser(m.group(1)) if m else value
    index = int(m.group(2)) if m and m.group(2) else 0
    if not os.path.isfile(path):
        raise BriefError.at(var, None, role, f"字体文件不存在：{path}")
    if index >= face_count(path):
        raise BriefError.at(var, None, role, f"{path} 中没有第 {index} 个字体（共 {face_count(path)} 个）")
    font = _resolved(role, path, index, None, var)
    if font.outline not in ("glyf", "cff"):
        raise BriefError.at(var, None, role, f"{path} 没有字形轮廓（glyf/CFF），不能用")
    return font


def _no_font(role: str) -> BriefError:
    label = config.ROLE_LABELS.get(role, role)
    package = config.DEBIAN_PACKAGES.get(role, "fonts-noto-cjk")
    return BriefError.at(
        "fonts", None, role,
        f"没有可用于“{label}”的字体；请安装（Debian：apt-get install {package}）"
        f"或设置 {config.ENV_PREFIX}{role.upper()}=/path/to/font",
    )


def resolve() -> FontSet:
    """Pick a font for every PDF role (``BRIEF_FONT_<ROLE>`` first, then ``config.PDF_CANDIDATES``).

    Raises BriefError naming the role and the Debian package to install when a role has no font.
    Cheap after the first run (file names and cached name tables only; no reportlab, no fontTools).
    """
    overrides = tuple(
        (role, os.environ.get(config.ENV_PREFIX + role.upper(), "")) for role in config.PDF_ROLES
    )
    _refuse_unknown_variables()
    try:
        return _resolve(overrides)
    finally:
        _keep_facts_together()


def _refuse_unknown_variables() -> None:
    """A misspelt ``BRIEF_FONT_<ROLE>`` would be ignored and the default font used without a word."""
    known = {config.ENV_PREFIX + role.upper() for role in config.PDF_ROLES} | {config.CACHE_ENV}
    unknown = sorted(k for k in os.environ if k.startswith(config.ENV_PREFIX) and k not in known)
    if unknown:
        import difflib

        var = unknown[0]
        suffixes = {k[len(config.ENV_PREFIX):]: k for k in known}  # the shared prefix would match anything
        guess = difflib.get_close_matches(var[len(config.ENV_PREFIX):], sorted(suffixes), n=1, cutoff=0.6)
        hint = f"是否应为 {suffixes[guess[0]]}？" if guess else f"可用的有：{'、'.join(sorted(known))}"
        raise BriefError.at(var, None, "-", f"未知的字体环境变量；{hint}")


@lru_cache(maxsize=8)
def _resolve(overrides: tuple[tuple[str, str], ...]) -> FontSet:
    roles = []
    for role, value in overrides:
        if value:
            roles.append(_from_env(role, config.ENV_PREFIX + role.upper(), value))
            continue
        found = _from_candidates(role, config.PDF_CANDIDATES[role])
        if not found:
            raise _no_font(role)
        roles.append(found[0])
    fallbacks = _unique(f for f in _from_candidates("fallback", config.FALLBACK_CANDIDATES) if not f.cff)
    supplements = _unique(_from_candidates("supplement", config.SUPPLEMENT_CANDIDATES))
    return FontSet(tuple(roles), tuple(fallbacks), tuple(supplements))


def _unique(fonts: Iterable[ResolvedFont]) -> list[ResolvedFont]:
    seen: set[tuple[str, int]] = set()
    out = []
    for f in fonts:
        if (f.path, f.index) not in seen:
            seen.add((f.path, f.index))
            out.append(f)
    return out


def forget() -> None:
    """Drop the in-process memo (after installing fonts or changing BRIEF_FONT_*; used by tests)."""
    _file_index.cache_clear()
    _resolve.cache_clear()
    _info_memo.clear()
    _together.clear()
