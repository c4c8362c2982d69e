"""``brief fonts``: which font plays which role on this machine."""

from __future__ import annotations

from .cache import cache_dir
from .config import ROLE_LABELS
from .convert import converted_path
from .discover import ResolvedFont, resolve


def _where(font: ResolvedFont) -> str:
    return f"{font.path}:{font.index}" if font.path.lower().endswith((".ttc", ".otc")) else font.path


def _line(role: str, label: str, font: ResolvedFont) -> str:
    notes = [font.note] if font.note else []
    if font.origin != "config":
        notes.append(f"set by {font.origin}")
    if font.cff and role == "supplement":
        notes.append(f"CFF, converted one character at a time when a document needs it, into "
                     f"{cache_dir() / 'chars'}")
    elif font.cff:
        cached = converted_path(font)
        if cached.is_file():
            notes.append(f"CFF, converted to TrueType and cached at {cached}")
        else:
            notes.append(f"CFF, converted to TrueType on the first PDF (5-10 s, once) into {cached}")
    return "\t".join([role, label, font.display_name, _where(font), "; ".join(notes) or "-"])


def report_lines() -> list[str]:
    """One tab-separated line per role: role, 中文名, family, file, notes; then the fallbacks."""
    fontset = resolve()
    lines = [_line(f.role, ROLE_LABELS.get(f.role, f.role), f) for f in fontset.roles]
    lines += [_line("fallback", "缺字后备", f) for f in fontset.fallbacks]
    lines += [_line("supplement", "缺字补充（按字转换）", f) for f in fontset.supplements if f.cff]
    return lines
