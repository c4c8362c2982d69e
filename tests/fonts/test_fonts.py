"""brief.fonts: role -> font file, CFF -> TrueType cache, reportlab registration, coverage, ToUnicode fix.

These run against the fonts installed on the build machine (fonts-noto-cjk, fonts-lxgw-wenkai,
fonts-arphic-ukai/uming, fonts-wqy-zenhei, texlive-lang-chinese). The first run on a machine
converts three CFF fonts (~25 s, cached in the user cache directory); later runs take seconds.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import textwrap
import time
from array import array
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from fontTools.ttLib import TTFont as FTFont
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate

import brief.fonts as fonts
from brief.errors import BriefError
from brief.fonts import config, convert, rlcompat
from brief.fonts.config import Candidate

JI = "\U00020BB7"  # 𠮷, CJK Extension B: beyond the BMP
NOBODY = "\U0010FFFD"  # plane-16 private use: no font has it
UYGHUR = "قەشقەر"  # Kashgar; Arabic script needs shaping and bidi that reportlab lacks

TOOLS = ("pdffonts", "pdftotext", "qpdf")
needs_tools = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS), reason="poppler-utils/qpdf missing")


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    for role in config.PDF_ROLES:
        monkeypatch.delenv(config.ENV_PREFIX + role.upper(), raising=False)
    fonts.forget()
    yield
    fonts.forget()


@pytest.fixture
def pdf():
    return fonts.pdf_fonts()


# -- resolve --------------------------------------------------------------------------------------


def test_resolve_finds_every_role():
    fontset = fonts.resolve()
    assert [f.role for f in fontset.roles] == list(config.PDF_ROLES)
    for font in fontset.roles:
        assert os.path.isfile(font.path), font
        assert font.family and font.ps_name
        assert font.outline in ("glyf", "cff")
    assert fontset.fallbacks, "no TrueType fallback font installed"
    assert all(not f.cff for f in fontset.fallbacks)


def test_resolve_choices_on_this_machine():
    """The Debian packages the project installs give these choices (see config.PDF_CANDIDATES)."""
    fontset = fonts.resolve()
    if not os.path.isfile("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-Regular.otf"):
        pytest.skip("texlive-lang-chinese not installed")
    assert fontset["body"].family == "FandolFang" and fontset["body"].cff and fontset["body"].note is None
    assert fontset["title"].display_name == "Noto Serif CJK SC Bold"
    assert "方正小标宋" in (fontset["title"].note or "")
    assert fontset["kai"].family == "FandolKai" and fontset["kai"].cff  # mainland 楷体, not AR PL UKai
    assert fontset["pagenum"].family == "AR PL UMing CN" and not fontset["pagenum"].cff
    assert fontset["bold"].path == fontset["heading"].path


def test_env_override_with_face_index(monkeypatch):
    uming = fonts.resolve()["pagenum"].path
    monkeypatch.setenv("BRIEF_FONT_KAI", f"{uming}:1")
    fonts.forget()
    kai = fonts.resolve()["kai"]
    assert (kai.path, kai.index, kai.origin) == (uming, 1, "BRIEF_FONT_KAI")
    assert kai.family == "AR PL UMing HK"


def test_env_override_missing_file_is_an_error(monkeypatch):
    monkeypatch.setenv("BRIEF_FONT_BODY", "/nonexistent/simfang.ttf")
    with pytest.raises(BriefError, match="BRIEF_FONT_BODY.*/nonexistent/simfang.ttf"):
        fonts.resolve()


def test_misspelt_font_variable_is_an_error_with_a_guess(monkeypatch):
    monkeypatch.setenv("BRIEF_FONT_BODDY", "/usr/share/fonts/x.ttf")
    with pytest.raises(BriefError, match="BRIEF_FONT_BODDY.*是否应为 BRIEF_FONT_BODY"):
        fonts.resolve()
    monkeypatch.delenv("BRIEF_FONT_BODDY")
    monkeypatch.setenv("BRIEF_FONT_XYZ", "1")
    with pytest.raises(BriefError, match="BRIEF_FONT_XYZ.*可用的有：.*BRIEF_FONT_KAI"):
        fonts.resolve()


def test_font_cache_variable_is_not_a_role(monkeypatch, tmp_path):
    monkeypatch.setenv("BRIEF_FONT_CACHE_DIR", str(tmp_path))
    assert [f.role for f in fonts.resolve().roles] == list(config.PDF_ROLES)


def test_role_without_any_font_names_role_and_package(monkeypatch):
    monkeypatch.setitem(config.PDF_CANDIDATES, "kai", (Candidate("no-such-font.ttf"),))
    with pytest.raises(BriefError) as err:
        fonts.resolve()
    message = str(err.value)
    assert "\n" not in message
    assert "kai" in message and "楷体" in message and "texlive-lang-chinese" in message


def test_alternative_is_noted(monkeypatch):
    """No 仿宋 installed: the body falls back to a named 宋体 and says so."""
    body = [c for c in config.PDF_CANDIDATES["body"] if c.note]
    monkeypatch.setitem(config.PDF_CANDIDATES, "body", tuple(body))
    font = fonts.resolve()["body"]
    assert font.note and font.note.startswith("未安装仿宋，改用 ") and font.family in font.note


# -- CFF -> TrueType ------------------------------------------------------------------------------


def test_gb2312_set():
    hanzi = [cp for cp in convert.gb2312() if 0x4E00 <= cp <= 0x9FFF]
    assert len(hanzi) == 6763
    base = convert.base_codepoints()
    assert {ord(c) for c in "·—…“”、。《》（）％０①℃㎡"} <= base
    # the written-out hash the cached fonts are named by is the hash of this very set
    assert convert.BASE_CHARSET_HASH == convert._charset_hash(base)
    with_extra = convert._charset_hash(convert.base_codepoints("𠮷"))
    assert convert._base_charset_hash("𠮷") == with_extra != convert.BASE_CHARSET_HASH


def test_converted_font_is_truetype_and_covers_gb2312():
    body = fonts.resolve()["body"]
    if not body.cff:
        pytest.skip("body font is TrueType here")
    path = fonts.convert_cff(body)
    with FTFont(path, lazy=True) as tt:
        assert "glyf" in tt and "loca" in tt and "CFF " not in tt
        assert tt["maxp"].tableVersion == 0x00010000
        assert tt["post"].formatType == 2.0
        cmap = tt.getBestCmap()
    assert convert.gb2312() & convert.source_coverage(body) <= set(cmap)
    assert {cp for cp in convert.gb2312() if 0x4E00 <= cp <= 0x9FFF} <= set(cmap)  # all 6763 hanzi


def test_cff_cache_is_reused():
    for role in ("title", "heading", "body"):
        font = fonts.resolve()[role]
        if not font.cff:
            continue
        path = fonts.convert_cff(font)  # converts on a cold machine
        before = path.stat()
        convert.forget()  # no in-process memo: as in a new process (bench/micro.py times it)
        again = fonts.convert_cff(font)
        assert again == path
        after = path.stat()
        assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino), "cache file rewritten"
        assert Path(convert.cache_dir()) in path.parents


def test_cache_key_follows_source_and_charset():
    body = fonts.resolve()["body"]
    assert convert.converted_path(body) == convert.converted_path(body)
    assert convert.converted_path(body, extra=JI) != convert.converted_path(body)


@pytest.mark.slow
def test_per_character_conversion(tmp_path, monkeypatch):
    """A character outside the converted set comes from a one-glyph TrueType file of the same face."""
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path))
    title = fonts.resolve()["title"]
    if not title.cff or 0x5803 not in convert.source_coverage(title):
        pytest.skip("title font is not a CFF font with 堃")
    start = time.perf_counter()
    out = convert.convert_chars(title, "堃")
    first = time.perf_counter() - start
    path = out["堃"]
    assert tmp_path in path.parents and first < 5
    with FTFont(path) as tt:
        assert "glyf" in tt and "CFF " not in tt
        assert 0x5803 in tt.getBestCmap()
        assert tt["name"].getDebugName(6) == convert.char_ps_name(title, "堃")
    mtime = path.stat().st_mtime_ns
    assert convert.convert_chars(title, "堃")["堃"].stat().st_mtime_ns == mtime


# -- reportlab registration -----------------------------------------------------------------------


def test_names_and_registration(pdf):
    for role in config.PDF_ROLES:
        name = pdf.name(role)
        assert name.startswith("brief-")
        assert pdfmetrics.getFont(name) is not None
    assert pdf.name("body") == "brief-body"
    with pytest.raises(KeyError, match="unknown font role"):
        pdf.name("nonsense")
    assert all(fonts.pdf_fonts() is pdf for _ in range(3))  # memoised (bench/micro.py times it)


def test_heading_and_bold_share_one_font(pdf):
    """Same file, two role names: reportlab maps both to one font object, embedded once."""
    if fonts.resolve()["bold"].path != fonts.resolve()["heading"].path:
        pytest.skip("bold and heading differ here")
    assert pdfmetrics.getFont(pdf.name("bold")) is pdfmetrics.getFont(pdf.name("heading"))


def test_faces_are_parsed_lazily():
    """A new process registers the role fonts without parsing them (bench/micro.py times it)."""
    code = textwrap.dedent("""
        from brief.fonts import pdf_fonts
        from reportlab.pdfbase import pdfmetrics
        pdf = pdf_fonts()
        kai = pdfmetrics.getFont(pdf.name("kai"))
        assert "_pending" in kai.face.__dict__
        assert kai.stringWidth("楷体", 10) == 20
        assert "_pending" not in kai.face.__dict__
        print("lazy")
    """)
    assert subprocess.check_output([sys.executable, "-c", code], text=True).strip() == "lazy"


def test_survives_reportlab_reset(pdf):
    from reportlab import rl_config

    rl_config._reset()
    assert not pdf.registered()
    again = fonts.pdf_fonts(pdf.fontset)
    assert again is pdf and pdf.registered()


def test_covers(pdf):
    body = pdf.name("body")
    assert pdf.covers(body, "仿") and pdf.covers(body, "A") and pdf.covers(body, "—")
    assert not pdf.covers(body, NOBODY)
    with pytest.raises(KeyError):
        pdf.covers("Helvetica", "A")


def test_split_runs_uses_fallback(pdf):
    body = pdf.name("body")
    assert not pdf.covers(body, JI), "pick another test character: the body font has 𠮷"
    text = f"吉祥的{JI}字，—— 共 3 个"
    runs = pdf.split_runs(text, "body")
    assert "".join(t for t, _ in runs) == text
    assert runs[0] == ("吉祥的", body)
    ji_font = next(f for t, f in runs if JI in t)
    assert ji_font in pdf.fallbacks and pdf.covers(ji_font, JI)
    assert all(f == body for t, f in runs if JI not in t)


def test_split_runs_keeps_whitespace_in_role_font(pdf):
    runs = pdf.split_runs(f"{JI} {JI}\n", "body")
    assert [t for t, f in runs if f == pdf.name("body")] == [" ", "\n"]


def test_missing_reports_what_no_font_draws(pdf):
    assert pdf.missing("正文——“引号”、①㎡ 30.89%", "body") == []
    assert pdf.missing(f"甲{NOBODY}乙{NOBODY}", "body") == [NOBODY]
    assert pdf.missing(f"{JI}\n\t", "body") == []
    # Uyghur: no CJK font has the letters, and reportlab could not shape them anyway.
    assert set(pdf.missing(UYGHUR, "body")) == set(UYGHUR)
    assert pdf.missing("a\x0bb", "body") == ["\x0b"]  # control characters print as nothing


def test_report_lines():
    lines = fonts.report_lines()
    for role, label in config.ROLE_LABELS.items():
        line = next(x for x in lines if x.startswith(role + "\t"))
        font = fonts.resolve()[role]
        assert label in line and font.display_name in line and font.path in line
        if font.cff:
            assert "已转换为 TrueType" in line


# -- the ToUnicode fix ----------------------------------------------------------------------------


def test_tounicode_fix_installed_and_checked():
    from reportlab.pdfbase import ttfonts

    fonts.pdf_fonts()
    rlcompat.check()  # raises if reportlab's internals moved
    assert ttfonts.makeToUnicodeCMap is rlcompat.to_unicode_cmap
    rlcompat.apply()  # idempotent
    assert ttfonts.makeToUnicodeCMap is rlcompat.to_unicode_cmap


@pytest.mark.slow
def test_every_reach_into_reportlab_is_in_rlcompat_behind_one_check(monkeypatch):
    """One module holds what brief uses of reportlab beyond its public API; its check refuses a
    reportlab outside the tested range (the pyproject pin) or with an internal gone."""
    import ast
    import re

    import reportlab
    from reportlab.pdfbase import pdfmetrics as rl_pdfmetrics

    rlcompat.check()
    pin = re.search(r'"reportlab>=([\d.]+),<([\d.]+)"', (Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert pin and rlcompat.TESTED == tuple(tuple(int(x) for x in v.split(".")) for v in pin.groups())
    monkeypatch.setattr(rlcompat, "_checked", False)
    monkeypatch.setattr(reportlab, "Version", "5.2.0")
    with pytest.raises(RuntimeError, match=r"reportlab 5\.2\.0 is outside .*>=4\.2,<5\.2"):
        rlcompat.check()
    monkeypatch.setattr(reportlab, "Version", "5.1.0")
    monkeypatch.delattr(rl_pdfmetrics, "_dynFaceNames")
    with pytest.raises(RuntimeError, match="pdfmetrics._dynFaceNames is gone"):
        rlcompat.check()
    # nothing else in the package touches reportlab's private attributes or the names it replaces
    private = {"_ttf_data", "_pos", "_pdfScale", "_fonts", "_dynFaceNames", "_asciiReadable", "PDFZCompress",
               "makeToUnicodeCMap", "SUBSETN"}
    src = Path(fonts.__file__).parents[1]
    reaching = {p.relative_to(src).as_posix() for p in src.rglob("*.py") if p.name != "rlcompat.py"
                for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
                if isinstance(node, ast.Attribute) and node.attr in private
                or isinstance(node, ast.alias) and node.name in private}
    assert reaching == {"fonts/pdf.py"}  # BriefTTFont's mirror of TTFont.__init__ (_asciiReadable)


def test_the_bytecode_walk_is_remembered_per_reportlab_and_still_catches_a_change(monkeypatch, tmp_path):
    from reportlab.pdfbase import ttfonts

    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path))
    assert list(rlcompat._bytecode_problems()) == []
    (marker,) = (tmp_path / "info").glob("rlcheck-*")
    walks = []
    real = rlcompat.dis.get_instructions
    monkeypatch.setattr(rlcompat.dis, "get_instructions", lambda f: walks.append(f) or real(f))
    assert list(rlcompat._bytecode_problems()) == [] and walks == []  # remembered: not walked again

    original = ttfonts.TTFont.__init__

    def changed_init(self, *args, **kwargs):  # a reportlab that sets one more attribute
        original(self, *args, **kwargs)
        self.newAttribute = 1

    monkeypatch.setattr(ttfonts.TTFont, "__init__", changed_init)
    assert list(rlcompat._bytecode_problems()) == [
        "reportlab TTFont.__init__ now also sets ['newAttribute'] (update BriefTTFont)"]
    assert walks and list((tmp_path / "info").glob("rlcheck-*")) == [marker]  # a failed walk leaves no marker


def test_a_marker_left_by_a_brief_with_fewer_checks_is_not_trusted(monkeypatch, tmp_path):
    """The marker is named by rlcompat's own source too: a newer brief's added check runs once."""
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path))
    assert list(rlcompat._bytecode_problems()) == []
    (older,) = (tmp_path / "info").glob("rlcheck-*")
    monkeypatch.setattr(rlcompat, "_checks_digest", lambda: b"a newer rlcompat.py")
    walks = []
    real = rlcompat.dis.get_instructions
    monkeypatch.setattr(rlcompat.dis, "get_instructions", lambda f: walks.append(f) or real(f))
    assert list(rlcompat._bytecode_problems()) == [] and walks  # walked again
    markers = set((tmp_path / "info").glob("rlcheck-*"))
    assert older in markers and len(markers) == 2  # its own marker, beside the older brief's


def test_tounicode_bmp_unchanged_and_non_bmp_utf16():
    subset = [0, *range(32, 128), 0x4E00, 0x2014, 0xFF08]
    assert rlcompat.to_unicode_cmap("AAAAAA+X", subset) == rlcompat.original()("AAAAAA+X", subset)
    fixed = rlcompat.to_unicode_cmap("AAAAAA+X", [0, 0x4E00, 0x20BB7, 0x10FFFD])
    assert "<02> <D842DFB7>" in fixed and "<03> <DBFFDFFD>" in fixed
    assert "<20BB7>" in rlcompat.original()("AAAAAA+X", [0, 0x20BB7])  # the upstream bug


def test_tounicode_cmaps_are_remembered_few_and_by_name_and_characters():
    subsets = [[0, *range(0x4E00 + 7 * k, 0x4E00 + 7 * k + 200)] for k in range(rlcompat.CMAPS_KEPT + 3)]
    first = [rlcompat.to_unicode_cmap(f"TAG{k:03d}+X", s) for k, s in enumerate(subsets)]
    again = [rlcompat.to_unicode_cmap(f"TAG{k:03d}+X", s) for k, s in enumerate(subsets)]
    assert first == again == [rlcompat._to_unicode_cmap(f"TAG{k:03d}+X", s) for k, s in enumerate(subsets)]
    assert len(rlcompat._CMAPS) <= rlcompat.CMAPS_KEPT
    other = rlcompat.to_unicode_cmap("TAG000+Y", subsets[0])  # another name: its own CMap
    assert "/CMapName /TAG000+Y def" in other and other != first[0]


# -- PDF end to end -------------------------------------------------------------------------------

SAMPLE = [
    ("title", 22, "关于援疆项目进展情况的报告"),
    ("heading", 16, "一、总体情况"),
    ("body", 16, "全年完成投资30.89亿元——同比增长61.36%。"),
    ("body", 16, f"吉祥的{JI}字。"),
    ("kai", 16, "（一）重点项目"),
    ("bold", 16, "一是加快建设。"),
    ("pagenum", 14, "— 1 —"),
]


def build_pdf(pdf) -> bytes:
    story = []
    for role, size, text in SAMPLE:
        markup = "".join(f'<font name="{f}">{escape(t)}</font>' for t, f in pdf.split_runs(text, role))
        style = ParagraphStyle(role, fontName=pdf.name(role), fontSize=size, leading=size * 1.5)
        story.append(Paragraph(markup, style))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, initialFontName=pdf.name("body"), invariant=1).build(story)
    return buf.getvalue()


@needs_tools
def test_pdf_fonts_embedded_and_text_copies_out(pdf, tmp_path):
    path = tmp_path / "roles.pdf"
    path.write_bytes(build_pdf(pdf))

    rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = rows.splitlines()[2:]
    assert len(rows) >= 5
    for row in rows:
        cols = row.split()
        assert cols[-5:-2] == ["yes", "yes", "yes"], row  # emb sub uni
        assert "+" in cols[0] and "Helvetica" not in row, row

    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    flat = text.stdout.decode("utf-8").replace("\n", "")
    for _, _, line in SAMPLE:
        assert line in flat, line
    assert JI in flat and "\u20bb" not in flat  # not "₻": the ToUnicode fix
    assert "——" in flat

    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.slow
def test_pdf_bytes_identical_across_runs_and_processes(pdf, tmp_path):
    first = build_pdf(pdf)
    assert build_pdf(pdf) == first
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_fonts import build_pdf
        from brief.fonts import pdf_fonts
        sys.stdout.buffer.write(build_pdf(pdf_fonts()))
    """)
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, cwd=tmp_path, check=True)
        assert out.stdout == first, f"PYTHONHASHSEED={seed} gave different bytes"


# -- parsed faces kept on disk, fonts mapped, fast Flate -------------------------------------------

UMING = "/usr/share/fonts/truetype/arphic/uming.ttc"
needs_uming = pytest.mark.skipif(not os.path.isfile(UMING), reason="fonts-arphic-uming missing")


def _face(path: str, index: int):
    from reportlab.pdfbase.ttfonts import TTFontFace

    from brief.fonts import faces

    face = TTFontFace.__new__(TTFontFace)
    faces.load_face(face, path, index)
    return face


@needs_uming
def test_face_snapshot_matches_reportlab_parse(tmp_path, monkeypatch):
    from reportlab.pdfbase.ttfonts import TTFontFace


    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path))
    parsed = TTFontFace(UMING, subfontIndex=0)
    first = _face(UMING, 0)  # parses and writes the snapshot
    entries = list((tmp_path / "faces").glob("*.marshal"))
    assert len(entries) == 1
    again = _face(UMING, 0)  # from the snapshot
    for face in (first, again):
        assert set(face.__dict__) == set(parsed.__dict__) - {"glyphToChar"}
        for key, value in parsed.__dict__.items():
            if key not in {"_ttf_data", "_pos", "_pdfScale", "glyphToChar"}:
                got = getattr(face, key)
                assert (got.tolist() if isinstance(got, array) else got) == value, key
        assert bytes(face.name) == bytes(parsed.name) and face.name.ustr == parsed.name.ustr
        assert face._pdfScale(1024) == parsed._pdfScale(1024)
    subset = [ord(c) for c in "— 12 —援疆工作简报"]
    assert again.makeSubset(subset) == parsed.makeSubset(subset)
    assert isinstance(again.get_table("glyf"), bytes)  # a plain TTFontFace keeps reportlab's own table

    entries[0].write_bytes(b"not a snapshot")  # unreadable: parsed again and rewritten
    rebuilt = _face(UMING, 0)
    assert rebuilt.charToGlyph == parsed.charToGlyph
    assert entries[0].read_bytes() != b"not a snapshot"


@needs_uming
@pytest.mark.slow
def test_reportlab_font_facts_are_kept_as_marshal_and_rebuilt_when_unreadable(tmp_path, monkeypatch):
    from reportlab.pdfbase.ttfonts import TTFontFace

    from brief.fonts import pdf

    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(pdf, "_rl_memo", {})
    parsed = TTFontFace(UMING, subfontIndex=0)
    first = pdf._rl_file(UMING, 0)
    (entry,) = (tmp_path / "info").glob("rl-*.marshal")
    pdf._rl_memo.clear()
    again = pdf._rl_file(UMING, 0)  # from the entry
    for info in (first, again):
        assert info.ps_name == bytes(parsed.name).decode("ascii")
        assert 0x6C5F in info.codepoints and 0x6C5F in parsed.charToGlyph  # 江
        drawable = frozenset(pdf._drawable(parsed))
        assert frozenset(info.codepoints) == drawable
        # membership by bisection, at and around every range's ends
        probes = {cp + d for cp in drawable for d in (-1, 0, 1)} | {0, 0x10FFFF, 0x110000, -1}
        assert {cp for cp in probes if cp in info.codepoints} == drawable & probes
    marshal = __import__("marshal")
    from brief.fonts.cache import write_marshal

    ps, packed = first.ps_name, first.ranges.tobytes()
    damaged = [(ps, packed[:-1]), (ps, [[1, 2]]), (ps, "ranges"), ("", packed), ("a\nb", packed),
               ("x" * 200, packed), (ps, packed, 1), [ps, packed], {"ps": ps}]
    # unreadable, an older brief's entry (unsealed), or sealed but of a shape _rl_file never writes
    unsealed = (b"not marshal", marshal.dumps({"ps": "x"}), marshal.dumps((ps, packed)))
    for junk in (*unsealed, *damaged):
        if isinstance(junk, bytes):
            entry.write_bytes(junk)
        else:
            write_marshal(entry, junk)
        before = entry.read_bytes()
        pdf._rl_memo.clear()
        assert frozenset(pdf._rl_file(UMING, 0).codepoints) == frozenset(first.codepoints)
        assert entry.read_bytes() != before


def test_cache_entries_that_are_damaged_or_not_the_users_own_are_not_read(tmp_path):
    import marshal

    from brief.fonts.cache import read_marshal, write_marshal

    entry = tmp_path / "e.marshal"
    write_marshal(entry, ("Name", [[1, 2]]))
    assert read_marshal(entry) == ("Name", [[1, 2]])
    data = bytearray(entry.read_bytes())
    data[-3] ^= 0x01  # one bit flipped in the payload, its CRC left as it was
    entry.write_bytes(bytes(data))
    assert read_marshal(entry) is None
    entry.write_bytes(marshal.dumps(("Name", [[1, 2]])))  # an entry without its CRC (an older brief's)
    assert read_marshal(entry) is None
    write_marshal(entry, ("Name", [[1, 2]]))
    if os.getuid() == 0:  # root can give the file away: another user's file in our cache is not read
        os.chown(entry, 12345, -1)
        assert read_marshal(entry) is None


def test_glyph_table_slices_without_copying_the_table():
    from brief.fonts.faces import GlyphTable

    table = GlyphTable(b"headGLYPHDATAtail", 4, 9)
    assert len(table) == 9
    assert table[0:5] == b"GLYPH" and table[5:9] == b"DATA" and table[3:3] == b""
    assert isinstance(table[0:2], bytes)
    with pytest.raises(TypeError):
        table[0]


def test_role_faces_are_mapped_and_snapshotted(pdf):
    import mmap

    face = pdfmetrics.getFont(pdf.name("pagenum")).face
    face.getCharWidth(ord("1"))  # first use loads it
    assert isinstance(face._ttf_data, mmap.mmap)
    assert type(face.get_table("glyf")).__name__ == "GlyphTable"


def test_fast_deflate_streams_decode_and_is_scoped():
    import zlib

    from reportlab.pdfbase import pdfdoc

    from brief.writers.pdf import deflate

    blob = ("援疆工作简报 2023 " * 500).encode("utf-8")
    stock = pdfdoc.PDFZCompress.encode(blob)
    with deflate.fast_deflate():
        with deflate.fast_deflate():  # nested: still the fast one, and still after the inner exit
            packed = pdfdoc.PDFZCompress.encode(blob)
        assert pdfdoc.PDFZCompress.encode(blob.decode("utf-8")) == packed  # text is encoded as UTF-8 first
    assert zlib.decompress(packed) == blob and len(packed) < len(blob) // 10
    assert pdfdoc.PDFZCompress.encode(blob) == stock == zlib.compress(blob)  # outside: reportlab's own
    if deflate.isal_zlib is not None:
        assert packed != stock


@needs_uming
def test_subset_from_the_mapped_glyph_table_equals_reportlabs(tmp_path, monkeypatch):
    """Composite glyphs (i, j, À, Ç in UMing) included: their component ids are rewritten in the copy."""
    from reportlab.pdfbase.ttfonts import TTFontFace

    from brief.fonts.pdf import _LazyFace

    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path))
    stock = TTFontFace(UMING, subfontIndex=0)
    ours = _LazyFace(UMING, 0, bytes(stock.name))
    subset = [ord(c) for c in "ijÀÇÈ— 12 —援疆"]
    assert ours.makeSubset(subset) == stock.makeSubset(subset)
    assert type(ours.get_table("glyf")).__name__ == "GlyphTable"


def test_subset_module_imports_where_reportlabs_source_is_not_installed(monkeypatch):
    """An install of .pyc files only (or a frozen app) has no source to compare: reportlab's own
    makeSubset is used, not a crash at import."""
    import inspect

    from brief.fonts import subset

    assert subset._same() is subset.SAME

    def no_source(obj):
        raise OSError("could not get source code")

    monkeypatch.setattr(inspect, "getsource", no_source)
    assert subset._same() is False


def _pdf_in_child(cache: Path) -> bytes:
    """build_pdf's bytes from a new process whose font cache is ``cache``."""
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_fonts import build_pdf
        from brief.fonts import pdf_fonts
        sys.stdout.buffer.write(build_pdf(pdf_fonts()))
    """)
    env = {**os.environ, config.CACHE_ENV: str(cache)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env)
    assert out.returncode == 0, out.stderr.decode()
    return out.stdout


@pytest.mark.slow
def test_a_cache_entry_naming_another_font_is_rewritten_not_trusted(tmp_path, monkeypatch):
    """An entry that is well-formed and sealed but names another font than its file (the file
    facts, or the face snapshot) gave 内部错误 on every PDF; now the file decides and the entry is
    rewritten, and the PDF is the one a clean cache gives."""
    import marshal

    from brief.fonts import faces
    from brief.fonts import pdf as fpdf
    from brief.fonts.cache import read_marshal, sealed, unsealed, write_marshal

    cache = tmp_path / "cache"
    shutil.copytree(fonts.convert.cache_dir(), cache, ignore=shutil.ignore_patterns("faces", "info"))
    clean = _pdf_in_child(cache)  # writes the file facts and snapshots of the copied fonts
    monkeypatch.setenv(config.CACHE_ENV, str(cache))
    fonts.forget()
    body = fonts.resolve()["body"]
    path, index = (str(fonts.converted_path(body)), 0) if body.cff else (body.path, body.index)
    rl_entry, face_entry = fpdf._rl_entry(path, index), faces._entry(path, index, os.stat(path))
    name, packed = read_marshal(rl_entry)
    assert face_entry.is_file()

    write_marshal(rl_entry, ("SomeOtherFont-Regular", packed))
    assert _pdf_in_child(cache) == clean
    assert read_marshal(rl_entry) == (name, packed)

    version, state, names, tables = marshal.loads(unsealed(face_entry))
    names["name"] = (b"SomeOtherFont-Regular", "SomeOtherFont-Regular")
    face_entry.write_bytes(sealed(marshal.dumps((version, state, names, tables))))
    assert _pdf_in_child(cache) == clean
    assert marshal.loads(unsealed(face_entry))[2]["name"][0] == name.encode("ascii")
