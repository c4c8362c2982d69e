"""``brief fonts``: which font plays which role on this machine."""

from __future__ import annotations

from .cache import cache_dir
from .config import ROLE_LABELS
from .convert import converted_path, is_converted
from .discover import ResolvedFont, resolve


def _where(font: ResolvedFont) -> str:
    return f"{font.path}:{font.index}" if font.path.lower().endswith((".ttc", ".otc")) else font.path


def _line(role: str, label: str, font: ResolvedFont) -> str:
    notes = [font.note] if font.note else []
    if font.origin != "config":
        notes.append(f"由环境变量 {font.origin} 指定")
    if font.cff and role == "supplement":
        notes.append(f"OpenType（CFF），文档用到时逐字转换，缓存于 {cache_dir() / 'chars'}")
    elif font.cff:
        cached = converted_path(font)
        if is_converted(cached):
            notes.append(f"OpenType（CFF），已转换为 TrueType 并缓存于 {cached}")
        else:
            notes.append(f"OpenType（CFF），首次生成 PDF 时转换（5–10 秒，只需一次），缓存于 {cached}")
    return "\t".join([role, label, font.display_name, _where(font), "; ".join(notes) or "-"])


def report_lines() -> list[str]:
    """One tab-separated line per role: role, 中文名, family, file, notes; then the fallbacks."""
    fontset = resolve()
    lines = [_line(f.role, ROLE_LABELS.get(f.role, f.role), f) for f in fontset.roles]
    lines += [_line("fallback", "缺字后备", f) for f in fontset.fallbacks]
    lines += [_line("supplement", "缺字补充（按字转换）", f) for f in fontset.supplements if f.cff]
    return lines
