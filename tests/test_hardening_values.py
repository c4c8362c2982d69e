"""Issue 12, values: whatever render or distribute would refuse, validate refuses first, with file:line: key.

Figures (limits, other digits, decimals), recipients (address grammar, duplicates, before any send),
images (formats, modes, corrupt files, bombs), names and text lengths, glyphs no font has."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import time
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from brief.check import validate
from brief.data.ids import ID_RULE
from brief.data.images import MAX_BYTES, check_image
from brief.data.records import Recipient
from brief.data.schema import email_problem, name_problem
from brief.domain.aggregate import add, change
from brief.domain.quantity import (
    ASCII_DIGITS,
    Quantity,
    QuantityError,
    format_change,
    format_number,
    format_quantity,
    parse_quantity,
)
from brief.errors import BriefError

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "mini"
COUNTY = Path("counties/good/2023.yaml")
NAMES = "名称只能用汉字、英文字母、数字、空格和 ·（）()-—、〇"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    return data


def problems(data: Path) -> list[str]:
    """``validate`` in-process: every problem as ``relative/file:line: key: message``."""
    found, _ = validate([data], data)
    return [f"{Path(p.file).relative_to(data)}:{p.line}: {p.key}: {p.message}" for p in found]


def edit(data: Path, rel: Path | str, old: str, new: str) -> None:
    path = data / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- figures ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["1" + "0" * 28, "99999999999999999999亿", "100000000亿", "1" + "0" * 16])
def test_quantity_refuses_figures_beyond_the_magnitude_limit(written: str) -> None:
    with pytest.raises(QuantityError, match=r"太大：数值应小于 1亿亿（10的16次方）"):
        parse_quantity(written)


def test_quantity_accepts_the_largest_figures_and_sums_them_exactly() -> None:
    biggest = parse_quantity("99999999.9999999亿")  # 15 digits, just below 10^16
    assert biggest.value == Decimal("9999999999999990")
    total = biggest
    for _ in range(999):  # a thousand counties: the sum stays exact within Decimal's 28 digits
        total = add(total, biggest)
    assert total.value == Decimal("9999999999999990") * 1000
    assert format_quantity(total, "元") == "99999999999.9999亿元"


def test_quantity_refuses_more_than_15_significant_digits() -> None:
    with pytest.raises(QuantityError, match="有效数字超过 15 位"):
        parse_quantity("1234567890123456")
    with pytest.raises(QuantityError, match="有效数字超过 15 位"):
        parse_quantity("1.0000000000000000000000000000000001")
    assert parse_quantity("123456789012345").value == Decimal("123456789012345")


@pytest.mark.parametrize(("written", "unit", "hint"), [
    ("0.001", "", "最多两位小数"),
    ("7.125亩", "亩", "最多两位小数"),
    ("2.1234567万", "", "写作万时小数点后最多 6 位"),
    ("0.00000000001亿", "", "写作亿时小数点后最多 10 位"),
    ("61.365%", "%", "百分数最多两位小数"),
])
def test_quantity_refuses_excess_decimals_instead_of_rounding(written: str, unit: str, hint: str) -> None:
    with pytest.raises(QuantityError, match=f"小数位太多：.*{hint}.*不做四舍五入"):
        parse_quantity(written, unit, change=True)


@pytest.mark.parametrize(("written", "value"), [
    ("1.234567万", "12345.67"), ("0.0000000001亿", "0.01"), ("1.50", "1.5"), ("2.1200000000万", "21200"),
])
def test_quantity_accepts_decimals_down_to_a_hundredth(written: str, value: str) -> None:
    assert parse_quantity(written).value == Decimal(value)
    assert parse_quantity(format_number(parse_quantity(written))) == parse_quantity(written)


@pytest.mark.parametrize(("written", "char"), [
    ("4𝟗0", "U+1D7D7"), ("3٠٠", "U+0660"), ("４９０", "U+FF14"), ("２．１２万", "U+FF12"), ("1²", "U+00B2"),
    ("①", "U+2460"), ("९", "U+096F"),
])
def test_quantity_refuses_digits_other_than_ascii_with_one_message(written: str, char: str) -> None:
    with pytest.raises(QuantityError) as exc:
        parse_quantity(written)
    assert str(exc.value).endswith(f"（{char}）不是半角数字：{ASCII_DIGITS}")


def test_quantity_refuses_a_huge_figure_quickly_with_a_short_line() -> None:
    started = time.perf_counter()
    with pytest.raises(QuantityError) as exc:
        parse_quantity("1" * 1_000_000, "人次")
    assert time.perf_counter() - started < 0.1
    assert str(exc.value).startswith("“11111111111111111111…”太长（1000000 个字符），不是一个数量；")


def test_quantity_message_stays_on_one_line() -> None:
    with pytest.raises(QuantityError) as exc:
        parse_quantity("4\n9\u2028")
    assert len(str(exc.value).splitlines()) == 1
    assert "“4\\n9\\u2028”" in str(exc.value)


_FIGURE_CHARS = list("0123456789.-万亿余多近约超过%人次元 \n,４𝟗٠²e") + ["0000000000", "9999999999", "亿亿"]
figure_like = st.lists(st.sampled_from(_FIGURE_CHARS), max_size=24).map("".join)
SMALLEST = Quantity(Decimal("0.01"))
LARGEST = Quantity(Decimal("9999999999999990"))


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.one_of(figure_like, st.text(max_size=40)), st.sampled_from(["", "人次", "元", "%"]), st.booleans())
def test_any_text_parses_to_a_printable_quantity_or_raises_quantity_error(text: str, unit: str, signed: bool) -> None:
    try:
        q = parse_quantity(text, unit, change=signed)
    except QuantityError as exc:
        assert len(str(exc).splitlines()) == 1
        return
    shown = format_quantity(q, unit)
    assert parse_quantity(shown, unit, change=signed) == q
    format_change(q)
    format_quantity(add(q, q), unit)
    if not q.percent:  # the extreme year-over-year ratios stay within Decimal's context
        for before, after in ((SMALLEST, q), (q, LARGEST), (SMALLEST, Quantity(-LARGEST.value)), (q, SMALLEST)):
            delta = change(before, after)
            if delta is not None:
                format_change(delta)


def test_validate_refuses_year_written_with_other_digits(mini: Path) -> None:
    edit(mini, COUNTY, "year: 2023", "year: ٢٠٢٣")
    assert problems(mini) == [f"{COUNTY}:5: year: 年份“٢٠٢٣”应为四位数字，例如 2023；{ASCII_DIGITS}"]


def test_validate_refuses_year_file_named_with_other_digits(mini: Path) -> None:
    (mini / COUNTY).rename(mini / "counties" / "good" / "２０２３.yaml")
    assert problems(mini) == ["counties/good/２０２３.yaml:None: -: 文件名应为年份，例如 2023.yaml"]


# -- recipients -------------------------------------------------------------------------------------


def recipients(data: Path, *entries: tuple[str, str]) -> None:
    text = "".join(f"- name: {name}\n  email: {email}\n  briefs: [summary]\n" for name, email in entries)
    (data / "recipients.yaml").write_text(text, encoding="utf-8")


ONLY_ASCII = "只能用英文字母、数字和 . _ - + 等半角符号"
NO_BRACKETS = "只写地址本身，不要加名字、引号或尖括号，例如 office@example.org"
BAD_ADDRESSES = [  # as written in YAML, as quoted in the message, why
    ('"a@example.org\\r\\nBcc: x@example.org"', "a@example.org\\r\\nBcc: x@example.org", "地址中不能有空格或换行"),
    ("张三@example.com", "张三@example.com", f"@ 前面有非英文字符“张”：{ONLY_ASCII}"),
    ("x,y@example.com", "x,y@example.com", f"@ 前面有字符“,”：{ONLY_ASCII}"),
    ('"<a@b>"', "<a@b>", NO_BRACKETS),
    ('"张三 <a@example.com>"', "张三 <a@example.com>", NO_BRACKETS),
    ("a@b.com.", "a@b.com.", "域名不能以“.”结尾"),
    ('"a b@example.org"', "a b@example.org", "地址中不能有空格或换行"),
    ("example.org", "example.org", "应为“名字@域名”形式，例如 office@example.org"),
    ("a@@example.org", "a@@example.org", "应为“名字@域名”形式，例如 office@example.org"),
    ("a@localhost", "a@localhost", "域名应含“.”，例如 example.org"),
    ("a..b@example.org", "a..b@example.org", "“.”不能在 @ 前面部分的开头或结尾，也不能连写"),
    ("a@-x.org", "a@-x.org", "域名中的“-x”不合规：每段只能用英文字母、数字和“-”，“-”不能在开头或结尾"),
    ("a@1.2.3.4", "a@1.2.3.4", "域名最后一段应含字母，例如 example.org"),
    ("a@例子.中国", "a@例子.中国", "域名含非英文字符：本工具不接受中文域名，请写成 punycode 形式（xn--…）"),
]


@pytest.mark.parametrize(("written", "quoted", "why"), BAD_ADDRESSES, ids=[q for _, q, _ in BAD_ADDRESSES])
def test_validate_refuses_recipient_address_distribute_could_not_send(mini: Path, written: str, quoted: str,
                                                                     why: str) -> None:
    recipients(mini, ("办公室", "office@example.org"), ("指挥部", written))
    assert problems(mini) == [f"recipients.yaml:5: email: “{quoted}”不是有效的邮件地址：{why}"]


def test_validate_refuses_empty_recipient_address(mini: Path) -> None:
    recipients(mini, ("办公室", "''"))
    assert problems(mini) == ["recipients.yaml:2: email: 不能为空"]


@pytest.mark.parametrize("good", ["office@example.org", "o'neil+tag@mail.example.org", "a.b_c-d@xn--fiqs8s.cn"])
def test_recipient_address_grammar_accepts_plain_addresses(good: str) -> None:
    assert email_problem(good) is None


_ADDRESS_VALID = (r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,8}(\.[A-Za-z0-9_+-]{1,5}){0,2}"
                  r"@[A-Za-z0-9]{1,8}(\.[A-Za-z]{2,6}){1,2}")
_ADDRESS_LIKE = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~<>,\" 张-]{1,12}@[A-Za-z0-9.例-]{1,16}"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.from_regex(_ADDRESS_LIKE, fullmatch=True), st.from_regex(_ADDRESS_VALID, fullmatch=True)))
@pytest.mark.slow
def test_every_address_validate_accepts_goes_into_a_message_unchanged(address: str) -> None:
    from email import message_from_bytes
    from email.policy import default as default_policy

    from brief.distribute.message import compose, to_bytes

    if email_problem(address) is not None:
        return
    sent = message_from_bytes(to_bytes(compose("办公室", address, 2023, [], None)), policy=default_policy)
    assert [a.addr_spec for a in sent["To"].addresses] == [address]


def test_validate_refuses_duplicate_recipient_address(mini: Path) -> None:
    recipients(mini, ("办公室", "office@example.org"), ("指挥部", "Office@Example.ORG"))
    assert problems(mini) == ["recipients.yaml:5: email: Office@Example.ORG 已在第 2 行出现：同一邮箱只能列一次"]


@pytest.mark.parametrize(("written", "message"), ids=["crlf", "emoji", "bidi", "long"], argvalues=[
    ('"办公室\\r\\nBcc: x"', f"名称中不能有字符（U+000D）：{NAMES}"),
    ("办公室📧", f"名称中不能有字符“📧”（U+1F4E7）：{NAMES}"),
    ('"办公\\u202e室"', "含有看不见的文字方向控制符 U+202E，请删除"),  # said once, by the YAML reader
    ("办" * 61, "太长（61 字），最多 60 字；请精简"),
])
def test_validate_refuses_recipient_name_distribute_could_not_stamp(mini: Path, written: str, message: str) -> None:
    recipients(mini, (written, "office@example.org"))
    assert problems(mini) == [f"recipients.yaml:1: name: {message}"]


def test_messages_quote_odd_values_on_one_line(mini: Path) -> None:
    (mini / "recipients.yaml").write_text('- name: 办公室\n  email: o@example.org\n  briefs: ["sum\\nmary"]\n',
                                          encoding="utf-8")
    edit(mini, COUNTY, "status: final", 'status: "fi\\u2028nal"')
    edit(mini, COUNTY, "pepper_area: 7万多", 'pepper_area: "7\\n万"')
    found = problems(mini)
    assert len(found) == 3
    assert all(len(line.splitlines()) == 1 for line in found), found


def test_distribute_with_a_bad_recipient_sends_nothing(mini: Path, tmp_path: Path) -> None:
    from brief.distribute import distribute

    # Before: validate passed, the first copy went to the outbox, then compose() raised on the CR/LF.
    recipients(mini, ("办公室", "office@example.org"), ('"指挥部\\r\\nBcc: x"', "b@example.org"))
    out = tmp_path / "out"
    with pytest.raises(BriefError) as exc:
        distribute(mini, out, 2023)
    assert [(p.line, p.key) for p in exc.value.problems] == [(4, "name")]
    assert not (out / "outbox").exists() and not (out / "ledger.sqlite").exists()


def test_distribute_checks_every_address_before_sending_even_without_validate(tmp_path: Path) -> None:
    """The same grammar at the start of distribute, for recipients that did not come through validate."""
    from brief.distribute.run import _check_recipients

    entries = [Recipient("办公室", "office@example.org", ("summary",), 1),
               Recipient("指挥部", "a@b.com.", ("summary",), 4), Recipient("县😀", "x@example.org", ("summary",), 7)]
    with pytest.raises(BriefError) as exc:
        _check_recipients(entries, tmp_path / "recipients.yaml")
    assert [(p.line, p.key) for p in exc.value.problems] == [(4, "email"), (7, "name")]


# -- images -----------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(path: Path, width: int, height: int) -> None:
    """A valid 1-bit PNG of ``width`` × ``height`` zeros: a few hundred KB at most, made in well under a second."""
    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b""))


def jpeg_with_exif(path: Path, exif: bytes) -> None:
    Image.new("RGB", (80, 40), "red").save(path, "JPEG", exif=exif)


def truncated(path: Path, fmt: str) -> None:
    Image.effect_noise((400, 300), 60).convert("RGB").save(path, fmt)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


# A resolution tag that says 0 dpi: python-docx divides by it.
_ZERO_DPI = (b"II*\x00\x08\x00\x00\x00" + struct.pack("<H", 2) + struct.pack("<HHII", 0x011A, 5, 1, 38)
             + struct.pack("<HHII", 0x0128, 3, 1, 2) + b"\x00\x00\x00\x00" + struct.pack("<II", 0, 0))

RESAVE = "请用图片软件另存为 JPG 或 PNG 后再用"
BROKEN = f"图片已损坏或不完整，无法读取；{RESAVE}"
ODD_HEADER = f"图片的文件头（如 EXIF 信息）不标准，无法放进 Word 文件；{RESAVE}"
CMYK = "图片是 CMYK 颜色模式（印刷用），不受支持；请另存为 RGB 颜色的 JPG"
BAD_IMAGES = {
    "cmyk.jpg": (lambda p: Image.new("CMYK", (80, 40), (0, 50, 100, 0)).save(p, "JPEG"), CMYK),
    "webp.jpg": (lambda p: Image.new("RGB", (80, 40)).save(p, "WEBP"),
                 f"图片是 WebP 格式，只接受 JPG 和 PNG；{RESAVE}"),
    "gif.png": (lambda p: Image.new("RGB", (80, 40)).save(p, "GIF"), f"图片是 GIF 格式，只接受 JPG 和 PNG；{RESAVE}"),
    "svg.png": (lambda p: p.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'),
                f"图片是 SVG（矢量图）格式，只接受 JPG 和 PNG；{RESAVE}"),
    "truncated.jpg": (lambda p: truncated(p, "JPEG"), BROKEN),
    "truncated.png": (lambda p: truncated(p, "PNG"), BROKEN),
    "bomb.png": (lambda p: png_bomb(p, 30000, 30000), "图片太大（超过 4000 万像素）；请缩小后再用"),
    "large.png": (lambda p: png_bomb(p, 10000, 5000), "图片太大（10000×5000，超过 4000 万像素）；请缩小后再用"),
    "sixteen.png": (lambda p: Image.new("I;16", (80, 40)).save(p, "PNG"),
                    "图片是 16 位 PNG，只接受 8 位；请另存为 8 位 PNG"),
    "exif.jpg": (lambda p: jpeg_with_exif(p, b"Exif\x00\x00" + _ZERO_DPI), ODD_HEADER),
    "exif_offsets.jpg": (lambda p: jpeg_with_exif(p, b"Exif\x00\x00MM\x00*\xff\xff\xff\xff" + b"\x00" * 60000),
                         ODD_HEADER),  # offsets past the end, and a near-maximal APP1 segment
    "huge_file.png": (lambda p: (png_bomb(p, 10, 10), os.truncate(p, MAX_BYTES + 1)),
                      "图片文件太大（20.1 MB），最大 20 MB；请压缩后再用"),
}


def with_image(data: Path, name: str) -> None:
    edit(data, COUNTY, "干部。\n", f"干部。\n      image: photos/{name}\n")


@pytest.mark.parametrize("name", list(BAD_IMAGES))
def test_validate_refuses_image_render_could_not_use(mini: Path, name: str) -> None:
    make, message = BAD_IMAGES[name]
    make(mini / "counties" / "good" / "photos" / name)
    with_image(mini, name)
    started = time.perf_counter()
    assert problems(mini) == [f"{COUNTY}:21: image: “photos/{name}”：{message}"]
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(("name", "mode"), [
    ("rgb.jpg", "RGB"), ("grey.jpg", "L"), ("rgba.png", "RGBA"), ("la.png", "LA"), ("palette.png", "P"),
    ("bits.png", "1"), ("rgb.png", "RGB"),
])
def test_validate_accepts_jpeg_and_8_bit_png_that_both_writers_read(mini: Path, name: str, mode: str) -> None:
    from docx.image.image import Image as DocxImage
    from reportlab.lib.utils import ImageReader

    path = mini / "counties" / "good" / "photos" / name
    Image.new(mode, (80, 40)).save(path)
    with_image(mini, name)
    assert problems(mini) == []
    assert DocxImage.from_file(str(path)).px_width == 80  # what the DOCX writer's add_picture reads
    assert ImageReader(str(path)).getSize() == (80, 40)  # what the PDF writer's figure reads


def test_image_check_is_fast_on_the_shipped_photos() -> None:
    photos = sorted((HERE.parent / "data").rglob("*.jpg"))
    assert photos
    for photo in photos:
        check_image(photo)  # warm: the first call imports Pillow's plugins and python-docx
        started = time.perf_counter()
        assert check_image(photo) is None
        assert time.perf_counter() - started < 0.05, photo


def test_render_refuses_bad_image_with_one_line_and_writes_nothing(mini: Path, tmp_path: Path) -> None:
    BAD_IMAGES["cmyk.jpg"][0](mini / "counties" / "good" / "photos" / "cmyk.jpg")
    with_image(mini, "cmyk.jpg")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "brief", "render", "good", "--year", "2023", "--data", "data",
                             "--out", str(out)], capture_output=True, text=True, cwd=mini.parent)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"data/{COUNTY}:21: image: “photos/cmyk.jpg”：{CMYK}"]
    assert not list(out.rglob("*.pdf")) and not list(out.rglob("*.docx"))


# -- names and text lengths -------------------------------------------------------------------------


@pytest.mark.parametrize(("rel", "key", "old", "new", "shown"), [
    (COUNTY, "county", "county: 测试县", "county: 测试县😀", "字符“😀”（U+1F600）"),
    (COUNTY, "partner", "partner: 济宁市", 'partner: "济宁/市"', "字符“/”（U+002F）"),
    (COUNTY, "command", "command: 济宁援疆指挥部", "command: ../指挥部", "字符“.”（U+002E）"),
    (COUNTY, "prefecture", "prefecture: 喀什地区", 'prefecture: "喀什\\u200b地区"', "字符（U+200B）"),
    (Path("programs/p.yaml"), "name", "name: 测试指挥部", "name: 测试/指挥部", "字符“/”（U+002F）"),
])
def test_validate_refuses_emoji_bidi_and_path_characters_in_names(
        mini: Path, rel: Path, key: str, old: str, new: str, shown: str) -> None:
    edit(mini, rel, old, new)
    line = next(i for i, text in enumerate((mini / rel).read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith(f"{key}:"))
    assert problems(mini) == [f"{rel}:{line}: {key}: 名称中不能有{shown}：{NAMES}"]


@pytest.mark.parametrize("name", ["英吉沙县", "阿卜杜·热合曼", "济宁指挥部（前方）", "Müller 2023", "十一批—二〇二三"])
def test_name_rule_accepts_real_names(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize(("old", "new", "line", "key", "limit", "length"), [
    ("county: 测试县", "county: " + "县" * 61, 1, "county", 60, 61),
    ("headline: 测试标题", "headline: " + "标" * 201, 8, "headline", 200, 201),
    ("source: 测试数据", "source: " + "源" * 201, 7, "source", 200, 201),
    ("summary: 测试导语。", "summary: " + "导" * 5001, 9, "summary", 5000, 5001),
    ("title: 人才", "title: " + "题" * 61, 19, "title", 60, 61),
    ("text: 选派{{ ind.cadres_dispatched }}干部。", "text: " + "文" * 5001, 20, "text", 5000, 5001),
    ("干部。\n", "干部。\n      caption: " + "注" * 201 + "\n", 21, "caption", 200, 201),
])
def test_validate_caps_text_lengths(mini: Path, old: str, new: str, line: int, key: str, limit: int,
                                    length: int) -> None:
    edit(mini, COUNTY, old, new)
    assert problems(mini) == [f"{COUNTY}:{line}: {key}: 太长（{length} 字），最多 {limit} 字；请精简"]


def test_validate_caps_catalog_labels_with_one_line(mini: Path) -> None:
    edit(mini, "indicators.yaml", "label: 选派干部人才", "label: " + "选" * 61)
    assert problems(mini) == ["indicators.yaml:10: label: 太长（61 字），最多 60 字；请精简"]


def test_validate_caps_highlights_per_file(mini: Path) -> None:
    more = "".join(f"    - title: 第{i}条\n      text: 内容。\n" for i in range(200))
    edit(mini, COUNTY, "干部。\n", "干部。\n" + more)
    assert problems(mini) == [f"{COUNTY}:17: highlights: 要点太多（201 条），每个文件最多 200 条"]


# -- glyphs -----------------------------------------------------------------------------------------


def test_validate_reports_character_no_font_has_in_highlight_text(mini: Path) -> None:
    edit(mini, COUNTY, "干部。", "干部🎉。")
    assert problems(mini) == [
        f"{COUNTY}:20: text: 字符“🎉”（U+1F389）在已安装的字体中都没有，无法印出；请改写或安装含此字的字体"]


def test_validate_reports_character_no_font_has_in_recipient_name(mini: Path) -> None:
    """distribute stamps the name on each copy: a CJK Extension G character passes the name rule but no font has it."""
    recipients(mini, ("办公室\U00030000", "office@example.org"))
    assert problems(mini) == ["recipients.yaml:1: name: 字符“\U00030000”（U+30000）在已安装的字体中都没有，无法印出；"
                              "请改写或安装含此字的字体"]


# -- ids and paths that come from file names ---------------------------------------------------------


@pytest.mark.parametrize("name", ["Good", "g" * 65, "1county", "县"])
def test_validate_refuses_county_folder_outside_the_id_grammar(mini: Path, name: str) -> None:
    shutil.copytree(mini / "counties" / "good", mini / "counties" / name)
    assert [line for line in problems(mini) if line.startswith(f"counties/{name}:")] == [
        f"counties/{name}:None: {name}: 县目录名应为{ID_RULE}，例如 yingjisha"]


def test_validate_refuses_program_file_outside_the_id_grammar(mini: Path) -> None:
    shutil.copy(mini / "programs" / "p.yaml", mini / "programs" / "山东.yaml")
    assert f"programs/山东.yaml:None: 山东: 文件名应为{ID_RULE}，例如 shandong.yaml" in problems(mini)


@pytest.mark.parametrize(("written", "said"), [("photos/x.jpg " + "文" * 100, "不是有效的文件名"),
                                               ("a" * 300 + ".jpg", "不是有效的文件名"),
                                               ('"photos/a\\0b.jpg"', "控制字符 U+0000")])
def test_validate_refuses_image_path_the_system_cannot_open(mini: Path, written: str, said: str) -> None:
    """Before: ENAMETOOLONG (or a NUL) escaped validate as 内部错误."""
    item = f"  team:\n    - title: 图\n      text: 文字。\n      image: {written}\n"
    edit(mini, COUNTY, "highlights:\n", f"highlights:\n{item}")
    found = [line for line in problems(mini) if ": image: " in line]
    assert said in found[0], found  # a NUL is named first; the path without it is then not found either
