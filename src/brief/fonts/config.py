"""Which font plays which typographic role: the one place to change fonts.

PDF: each role lists candidate font files in order of preference; the first one installed wins.
DOCX: each role names the font Word/WPS should use (``w:eastAsia``); Windows ships these names.

Overriding a PDF role without editing this file: set ``BRIEF_FONT_<ROLE>`` to a font file, with an
optional ``:index`` for the face inside a ``.ttc`` collection, e.g.::

    BRIEF_FONT_BODY=/usr/share/fonts/truetype/simfang.ttf
    BRIEF_FONT_TITLE=/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc:2
    BRIEF_FONT_PAGENUM='C:\\Windows\\Fonts\\simsun.ttc:0'

A file that is not there is an error (it is never silently skipped). ``BRIEF_FONT_CACHE_DIR``
moves the cache of converted fonts (default: the user cache directory, ``…/brief/fonts``).
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES: tuple[str, ...] = ("title", "heading", "body", "kai", "pagenum")

# What the DOCX names, per role. Offices without 方正小标宋简体 get Word's substitution for the title.
DOCX_FONTS: dict[str, str] = {
    "title": "方正小标宋简体",
    "heading": "黑体",
    "body": "仿宋",
    "kai": "楷体",
    "pagenum": "宋体",
}
# Latin text and digits inside Chinese runs.
DOCX_LATIN_FONT = "Times New Roman"

# ---------------------------------------------------------------------------------------------
# PDF (reportlab)
# ---------------------------------------------------------------------------------------------

# The PDF knows one more role than the DOCX: ``bold``, for bold lead-ins inside 仿宋 body text
# (``**一是**……``). There is no free bold 仿宋 and reportlab cannot embolden a face, so bold runs are
# set in the 黑体 face, the way many offices print 加粗 in 仿宋 text; on Windows that is simhei.ttf.
# (Word's DOCX keeps 仿宋 and emboldens it itself.) For a bold 宋体 look instead, put
# ``Candidate("FandolSong-Bold.otf")`` first in its list.
PDF_ROLES: tuple[str, ...] = (*ROLES, "bold")

# Name shown by ``brief fonts``.
ROLE_LABELS: dict[str, str] = {
    "title": "标题/小标宋",
    "heading": "标题/黑体",
    "body": "正文/仿宋",
    "kai": "楷体",
    "pagenum": "页码/宋体",
    "bold": "正文加粗/黑体",
}

# What to install (Debian/Ubuntu) when a role has no font at all.
DEBIAN_PACKAGES: dict[str, str] = {
    "title": "fonts-noto-cjk",
    "heading": "fonts-noto-cjk",
    "body": "texlive-lang-chinese",  # ships FandolFang, the only free 仿宋 covering GB2312
    "kai": "texlive-lang-chinese",  # ships FandolKai (mainland punctuation, proportional digits)
    "pagenum": "fonts-arphic-uming",
    "bold": "fonts-noto-cjk",
}

ENV_PREFIX = "BRIEF_FONT_"  # BRIEF_FONT_BODY=/path/font.ttc:0
CACHE_ENV = "BRIEF_FONT_CACHE_DIR"


@dataclass(frozen=True)
class Candidate:
    """One font file that can play a role.

    ``file`` is a file name, found (case-insensitively) in ``FONT_DIRS``, or an absolute path.
    ``face`` picks the face in a ``.ttc``: an index, or a family / full name ("Noto Serif CJK SC").
    ``note`` is set when the font is a stand-in for the real style; ``{family}`` is filled in.
    """

    file: str
    face: int | str = 0
    note: str | None = None


# Where font files are looked for, in this order (first hit wins when a name is in several).
# Each directory is searched recursively; ``~``, ``$VARS`` and ``*`` are expanded; missing ones are
# skipped. User directories come first, so a font dropped into ~/.local/share/fonts beats the system's.
FONT_DIRS: tuple[str, ...] = (
    # Linux: per-user, local, then system; Windows fonts copied to Linux usually land here too.
    "~/.local/share/fonts",
    "~/.fonts",
    "/usr/local/share/fonts",
    "/usr/share/fonts",
    # FandolFang/Hei/Kai/Song ship with TeX Live (Debian: texlive-lang-chinese).
    "/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol",
    "/usr/share/texmf/fonts/opentype/public/fandol",
    "/usr/local/texlive/*/texmf-dist/fonts/opentype/public/fandol",
    "/opt/texlive/*/texmf-dist/fonts/opentype/public/fandol",
    # Windows: per-user installs, then the system folder.
    "$LOCALAPPDATA/Microsoft/Windows/Fonts",
    "$WINDIR/Fonts",
    "C:/Windows/Fonts",
    "C:/texlive/*/texmf-dist/fonts/opentype/public/fandol",
    # macOS (Office for Mac installs its fonts under /Library/Fonts/Microsoft).
    "~/Library/Fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "/System/Library/Fonts/Supplemental",
)

_NOTO_SERIF_BOLD = (
    Candidate("NotoSerifCJK-Black.ttc", "Noto Serif CJK SC"),  # Debian: fonts-noto-cjk-extra
    Candidate("NotoSerifCJKsc-Black.otf"),
    Candidate("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),  # Debian: fonts-noto-cjk
    Candidate("NotoSerifCJKsc-Bold.otf"),
    Candidate("NotoSerifSC-Bold.otf"),
)
_NOTO_SANS = (
    Candidate("NotoSansCJK-Medium.ttc", "Noto Sans CJK SC"),  # fonts-noto-cjk-extra
    Candidate("NotoSansCJKsc-Medium.otf"),
    Candidate("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    Candidate("NotoSansCJKsc-Regular.otf"),
    Candidate("NotoSansSC-Regular.otf"),
)
_NOTO_SERIF = (
    Candidate("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    Candidate("NotoSerifCJKsc-Regular.otf"),
    Candidate("NotoSerifSC-Regular.otf"),
)

# 黑体: for headings and for bold lead-ins.
_HEI = (
    Candidate("simhei.ttf"),  # Windows 黑体 SimHei
    Candidate("STHeiti Medium.ttc", "Heiti SC"),  # macOS 黑体-简 (not verified on a Mac)
    Candidate("Hiragino Sans GB.ttc", "Hiragino Sans GB"),  # macOS 冬青黑体简体中文
    Candidate("FandolHei-Regular.otf"),  # texlive-lang-chinese; drawn after SimHei, CFF
    *_NOTO_SANS,
    # TrueType, but its quotes “” are 0.33 em wide (GB/T 15834 wants one full character).
    Candidate("wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
)

PDF_CANDIDATES: dict[str, tuple[Candidate, ...]] = {
    # 方正小标宋简体 is commercial; 华文中宋 (Office) is the customary stand-in, then a bold 宋体.
    "title": (
        Candidate("FZXBSJW.TTF"),
        Candidate("方正小标宋简体.ttf"),
        Candidate("FZXBSJW--GB1-0.ttf"),
        Candidate("STZHONGS.TTF", note="未安装方正小标宋，改用 {family}（华文中宋）"),
        Candidate("Songti.ttc", "Songti SC Black", note="未安装方正小标宋，改用 {family}"),
        *(Candidate(c.file, c.face, "未安装方正小标宋，改用 {family}") for c in _NOTO_SERIF_BOLD),
        Candidate("FandolSong-Bold.otf", note="未安装方正小标宋，改用 {family}"),
        Candidate("simhei.ttf", note="未安装方正小标宋或粗宋体，改用 {family}（黑体）"),
        Candidate("FandolHei-Bold.otf", note="未安装方正小标宋或粗宋体，改用 {family}（黑体）"),
        Candidate("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC",
                  note="未安装方正小标宋或粗宋体，改用 {family}（黑体）"),
        Candidate("wqy-zenhei.ttc", "WenQuanYi Zen Hei",
                  note="未安装方正小标宋或粗宋体，改用 {family}（黑体）"),
    ),
    "heading": _HEI,
    "body": (
        Candidate("simfang.ttf"),  # Windows 仿宋
        Candidate("STFANGSO.TTF"),  # 华文仿宋 (Office)
        Candidate("STFangsong.ttf"),  # macOS (not verified on a Mac)
        Candidate("华文仿宋.ttf"),
        Candidate("FandolFang-Regular.otf"),  # texlive-lang-chinese; CFF, converted once
        # No 仿宋 at all: a 宋体 reads closest. cwTeX FangSong (fonts-cwtex-fs) is deliberately not
        # listed: it lacks 1203 of the 3755 level-1 GB2312 characters.
        *(Candidate(c.file, c.face, "未安装仿宋，改用 {family}（宋体）") for c in _NOTO_SERIF),
        Candidate("uming.ttc", "AR PL UMing CN", note="未安装仿宋，改用 {family}（宋体）"),
        Candidate("simsun.ttc", "SimSun", note="未安装仿宋，改用 {family}（宋体）"),
        Candidate("Songti.ttc", "Songti SC Regular", note="未安装仿宋，改用 {family}（宋体）"),
        Candidate("FandolSong-Regular.otf", note="未安装仿宋，改用 {family}（宋体）"),
    ),
    "kai": (
        Candidate("simkai.ttf"),  # Windows 楷体
        Candidate("STKAITI.TTF"),  # 华文楷体 (Office)
        Candidate("Kaiti.ttc", "Kaiti SC"),  # macOS (not verified on a Mac)
        # texlive-lang-chinese; CFF, converted once. Before AR PL UKai, whose punctuation sits in the
        # middle of the em (Taiwan style) and whose digits are typewriter-wide: wrong in mainland text.
        Candidate("FandolKai-Regular.otf"),
        Candidate("ukai.ttc", "AR PL UKai CN"),  # fonts-arphic-ukai, TrueType: no conversion
        Candidate("LXGWWenKai-Regular.ttf"),  # fonts-lxgw-wenkai; narrow quotes (0.35 em)
        Candidate("gkai00mp.ttf"),  # AR PL KaitiM GB (fonts-arphic-gkai00mp)
    ),
    "pagenum": (
        Candidate("simsun.ttc", "SimSun"),  # Windows 宋体
        Candidate("Songti.ttc", "Songti SC Regular"),  # macOS
        Candidate("uming.ttc", "AR PL UMing CN"),  # fonts-arphic-uming, TrueType
        *_NOTO_SERIF,
        Candidate("FandolSong-Regular.otf"),
        Candidate("gbsn00lp.ttf"),  # AR PL SungtiL GB (fonts-arphic-gbsn00lp)
    ),
    "bold": _HEI,
}

# Where a role font lacks a character: the first of these that has it draws it (TrueType only, so
# nothing needs converting; later entries cover more of CJK Extension B and beyond).
FALLBACK_CANDIDATES: tuple[Candidate, ...] = (
    Candidate("LXGWWenKai-Regular.ttf"),  # 28 872 characters including Ext-B (𠮷)
    Candidate("uming.ttc", "AR PL UMing CN"),
    Candidate("ukai.ttc", "AR PL UKai CN"),
    Candidate("wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
    Candidate("simsun.ttc", "SimSun"),
    Candidate("simsunb.ttf"),  # Windows SimSun-ExtB
    Candidate("msyh.ttc", "Microsoft YaHei"),
    Candidate("Songti.ttc", "Songti SC Regular"),
)

# Last resort, converted one character at a time and only when a document needs it: CFF fonts
# with the widest coverage (Noto CJK SC: about 44 700 characters).
SUPPLEMENT_CANDIDATES: tuple[Candidate, ...] = (*_NOTO_SERIF, *_NOTO_SANS)
