"""Attacks on ``brief serve`` (issue 16's safety list), each hole found kept as a test."""

from __future__ import annotations

import io
import re
import shutil
import threading
import time
from pathlib import Path

import pytest

import web.test_web as test_web
from brief.web import create_app
from web.test_web import _form, _upload, text, token

built, site = test_web.built, test_web.site  # the fixtures: one build per module, a copy per test

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
YINGJISHA = "counties/yingjisha/2023.yaml"


# -- login -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example",
                                    "/ /evil.example", "/\\evil.example", "//evil.example", "/\x00/x"])
def test_login_next_never_leads_to_another_site(site: tuple[Path, Path], target: str) -> None:
    """Browsers drop tabs and newlines from a URL: ``/<TAB>/evil.example`` went out as ``//evil.example``."""
    data, out = site
    c = create_app(data, out, "pw", work=out.parent / "work").test_client()
    r = c.post("/login", data={"password": "pw", "csrf": token(c, "/login"), "next": target})
    assert r.status_code in (302, 303)
    location = r.headers["Location"]
    assert location == "/" or location.startswith("/") and not location.startswith("//")
    assert "evil" not in location


def test_login_next_back_to_the_page_asked_for(site: tuple[Path, Path]) -> None:
    data, out = site
    c = create_app(data, out, "pw", work=out.parent / "work").test_client()
    r = c.post("/login", data={"password": "pw", "csrf": token(c, "/login"), "next": "/briefs"})
    assert r.status_code == 303 and r.headers["Location"] == "/briefs"


def test_wrong_passwords_in_parallel_wait_their_turn(site: tuple[Path, Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The delay after a wrong password was per request: ten connections guessed ten times as fast."""
    from brief.web import views

    monkeypatch.setattr(views, "LOGIN_DELAY", 0.2)
    data, out = site
    app = create_app(data, out, "pw", work=out.parent / "work")
    clients = [app.test_client() for _ in range(6)]
    tokens = [token(c, "/login") for c in clients]
    codes: list[int] = []

    def guess(i: int) -> None:
        codes.append(clients[i].post("/login", data={"password": f"guess{i}", "csrf": tokens[i]}).status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(6)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 6
    assert time.monotonic() - start >= 6 * 0.2 * 0.9
    right = app.test_client()  # the right password is not kept waiting behind the guesses
    r = right.post("/login", data={"password": "pw", "csrf": token(right, "/login")})
    assert r.status_code in (302, 303)


# -- import after the data file changed under the review ------------------------------------------


def _review_fields(c, review: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    html = c.get(review).get_data(as_text=True)
    form = html[html.index('id="changes"'):]
    return dict(re.findall(r'name="(csrf|changes)" value="([^"]+)"', form))


def test_import_refuses_when_the_data_changed_since_the_review(site: tuple[Path, Path], tmp_path: Path) -> None:
    """A second form (or a clerk's edit) landed between the review and the click on 导入: the first
    form, pre-filled before it, must neither put the old figures back nor write what the page did
    not show. An edit of another field is kept (the form's stale guard); an edit of the same field
    is refused, and nothing is written."""
    data, out = site
    c = create_app(data, out, work=tmp_path / "work").test_client()
    county = data / YINGJISHA
    original = county.read_text(encoding="utf-8")
    review = _upload(c, _form(data, tmp_path, {"智力援疆!C11": "36"}))
    assert "1 处变化" in text(c.get(review))
    fields = _review_fields(c, review)
    county.write_text(original.replace("free_clinics: 31", "free_clinics: 33"), encoding="utf-8")
    edited = county.read_bytes()
    page = text(c.post(review + "/import", data=fields))
    assert "已导入" not in page and "33次" in page
    assert county.read_bytes() == edited  # the other change is still there, nothing written

    county.write_text(original, encoding="utf-8")
    review = _upload(c, _form(data, tmp_path, {"智力援疆!C11": "36"}))
    fields = _review_fields(c, review)
    county.write_text(original.replace("greenhouses_rebuilt: 38", "greenhouses_rebuilt: 40"), encoding="utf-8")
    done = text(c.post(review + "/import", data=fields))
    assert "已导入" in done
    after = county.read_text(encoding="utf-8")
    assert "free_clinics: 36" in after and "greenhouses_rebuilt: 40" in after  # the clerk's edit kept


# -- the marked workbook of a hostile form ---------------------------------------------------------


def test_an_error_on_a_merged_cell_is_marked_on_the_cell_the_user_sees(site: tuple[Path, Path],
                                                                        tmp_path: Path) -> None:
    """A title row merged across A1:F1 put the form's marker cell F1 inside a merge: openpyxl refuses
    a comment there, and the download was 服务器内部错误 (``brief import --marked`` a traceback)."""
    from openpyxl import load_workbook

    data, out = site
    c = create_app(data, out, work=tmp_path / "work").test_client()
    path = _form(data, tmp_path, {})
    wb = load_workbook(path)
    wb["智力援疆"].merge_cells("A1:F1")
    wb.save(path)
    review = _upload(c, path)
    assert "智力援疆!F1" in text(c.get(review))
    marked = c.get(review + "/marked")
    assert marked.status_code == 200
    ws = load_workbook(io.BytesIO(marked.data))["智力援疆"]
    assert "缺少表单标记" in ws["A1"].comment.text and ws["A1"].fill.fgColor.rgb.endswith("FFC7CE")


# -- a build killed under the page ----------------------------------------------------------------


def test_a_killed_job_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kill -9 of the build (or the out-of-memory killer) printed nothing: the page said 未完成 and
    listed no reason at all."""
    from brief.web import jobs

    killed = tmp_path / "python"
    killed.write_text("#!/bin/sh\nkill -9 $$\n", encoding="utf-8")
    killed.chmod(0o755)
    monkeypatch.setattr(jobs.sys, "executable", str(killed))
    runner = jobs.Jobs()
    job = runner.start("生成全部简报", ["build"], 8, cwd=str(tmp_path))
    assert job is not None
    deadline = time.monotonic() + 20
    while job.running and time.monotonic() < deadline:
        time.sleep(0.05)
    state = job.to_json()
    assert state["running"] is False and state["ok"] is False
    assert len(state["lines"]) == 1 and "强行中断（信号 9" in state["lines"][0]
    assert runner.start("生成全部简报", ["build"], 8, cwd=str(tmp_path)) is not None  # the next one may start


# -- preview of a PDF that a build replaces meanwhile ----------------------------------------------


def test_preview_pages_are_those_of_the_pdf_that_was_hashed(site: tuple[Path, Path], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """pdftoppm read the path again after it was hashed: a build replacing the PDF in between left the
    new PDF's pages cached under the old PDF's hash, shown again whenever that PDF came back."""
    import hashlib
    import subprocess

    from brief.web import previews

    data, out = site
    county = out / "2023" / "2023年英吉沙县援疆工作简报.pdf"
    summary = out / "2023" / "2023年山东援疆指挥部援疆工作年度汇总.pdf"
    old = county.read_bytes()
    real = subprocess.run

    def replaced_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        county.write_bytes(summary.read_bytes())  # the build's rename lands here
        return real(*args, **kwargs)

    monkeypatch.setattr(previews.subprocess, "run", replaced_meanwhile)
    digest, count = previews.pages(county, tmp_path / "previews")
    monkeypatch.setattr(previews.subprocess, "run", real)
    old_copy = tmp_path / "old.pdf"
    old_copy.write_bytes(old)
    assert digest == hashlib.sha256(old).hexdigest()
    assert _page_count(old_copy) != _page_count(summary) and count == _page_count(old_copy)


def _page_count(pdf: Path) -> int:
    import subprocess

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(info.split("Pages:")[1].split()[0])


# -- distribution: a summary carries its counties' 密级 -----------------------------------------------


def test_a_summary_with_a_secret_county_in_it_is_not_emailed(site: tuple[Path, Path]) -> None:
    """英吉沙县 2023 定为秘密: its brief was withheld, but the program's summary, which prints its
    figures and highlights, went by email with no 密级 at all."""
    from email import message_from_bytes

    from brief.distribute import distribute

    data, out = site
    county = data / YINGJISHA
    body = county.read_text(encoding="utf-8")
    county.write_text(body.replace("year: 2023\n", "year: 2023\nclassification: 秘密\n", 1), encoding="utf-8")
    report = distribute(data, out, 2023)
    withheld = [p.message for p in report.withheld]
    summary = "2023年山东援疆指挥部援疆工作年度汇总.pdf"
    assert any(m.startswith(summary + "（含有定密县的内容） 定为秘密") for m in withheld), withheld
    sent = set()
    for eml in (out / "outbox").rglob("*.eml"):
        sent |= {part.get_filename() for part in message_from_bytes(eml.read_bytes()).walk() if part.get_filename()}
    assert sent and summary not in sent and "2023年英吉沙县援疆工作简报.pdf" not in sent
    assert "2023年山东援疆指挥部工作简报.pdf" in sent  # the program's own brief has no county's content
    page1 = text_of_first_page(out / "2023" / summary)
    assert page1.lstrip().startswith("秘密") or "\n秘密\n" in page1


def text_of_first_page(pdf: Path) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


# -- a small file that makes openpyxl build millions of objects ----------------------------------------


def _hostile(path: Path, data: Path, kind: str) -> Path:
    import random
    import string

    from brief.forms import make_form
    from test_hardening_forms import rezip, sheet_member

    form = make_form(data, "yingjisha", 2023, path.parent / "forms")
    member = sheet_member(form, "基本情况")
    if kind == "merge":  # one merged range, 1.8 million cells: 40 s and 600 MB to review
        add = b'<mergeCell ref="J20:GR10000"/>'
    elif kind == "merge_huge":  # the whole sheet: it never finished
        add = b'<mergeCell ref="A1:XFD1048576"/>'
    elif kind == "hyperlink":
        add = b'<hyperlinks><hyperlink ref="J1:GR9000" display="x"/></hyperlinks>'
    else:  # a rich-text cell of 150,000 formatted pieces
        random.seed(1)
        pieces = b"".join(b"<r><t>%s</t></r>" % "".join(random.choices(string.ascii_letters, k=2)).encode()
                          for _ in range(150_000))
        add = b""

    def edit(xml: bytes) -> bytes:
        if kind == "runs":
            cut = xml.index(b"</row>")
            return xml[:cut] + b'<c r="H1" t="inlineStr"><is>' + pieces + b"</is></c>" + xml[cut:]
        if kind.startswith("merge"):  # the form's sheet has merged cells already: one more
            return re.sub(rb"(<mergeCells[^>]*>)", lambda m: m.group(1) + add, xml, count=1)
        return xml.replace(b"</sheetData>", b"</sheetData>" + add, 1)

    if kind == "comment":  # one comment on the sheet's last row: the review refuses the row count
        rezip(form, *_comment_at(form, member))
    else:
        rezip(form, {member: edit})
    target = path / f"{kind}.xlsx"
    shutil.move(str(form), target)
    return target


_COMMENTS = (b'<?xml version="1.0" encoding="UTF-8"?><comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             b'2006/main"><authors><author>a</author></authors><commentList><comment ref="A1048576" authorId="0">'
             b"<text><t>x</t></text></comment></commentList></comments>")


def _comment_at(form: Path, member: str) -> tuple[dict, dict[str, bytes]]:  # type: ignore[type-arg]
    """The edits that hang xl/comments/comment99.xml on the sheet ``member``."""
    import zipfile

    rels = member.replace("worksheets/", "worksheets/_rels/") + ".rels"
    with zipfile.ZipFile(form) as zf:
        names = set(zf.namelist())
    link = (b'<Relationship Id="rIdC99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/comments" Target="/xl/comments/comment99.xml"/>')
    kind = (b'<Override PartName="/xl/comments/comment99.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/>')
    edits = {"[Content_Types].xml": lambda x: x.replace(b"</Types>", kind + b"</Types>")}
    extra = {"xl/comments/comment99.xml": _COMMENTS}
    if rels in names:
        edits[rels] = lambda x: x.replace(b"</Relationships>", link + b"</Relationships>")
    else:
        extra[rels] = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                       b'package/2006/relationships">' + link + b"</Relationships>")
    return edits, extra


def test_marking_a_sheet_with_a_comment_on_its_last_row_takes_a_moment(site: tuple[Path, Path],
                                                                        tmp_path: Path) -> None:
    """Import refuses the sheet by its row count at once; mark walked every cell up to row 1,048,576
    (30 s, 1.7 GB) to clear old marks."""
    from openpyxl import load_workbook

    from brief.forms.review import mark_workbook, review_upload

    data, _ = site
    path = _hostile(tmp_path, data, "comment")
    start = time.monotonic()
    review = review_upload(path, data)
    assert any("1048576 行" in e.message for e in review.errors), review.errors
    marked = mark_workbook(path, review.errors)
    assert time.monotonic() - start < 15  # a generous bound: it took 30 s and 1.7 GB, now 0.1 s
    ws = load_workbook(io.BytesIO(marked))["基本情况"]
    assert ws["A1048576"].comment.text == "x"


@pytest.mark.parametrize("kind", ["merge", "merge_huge", "hyperlink", "runs"])
def test_a_tiny_workbook_that_expands_is_refused_in_a_moment_by_review_and_mark(
        site: tuple[Path, Path], tmp_path: Path, kind: str) -> None:
    from brief.errors import BriefError
    from brief.forms.review import mark_workbook, review_upload

    data, _ = site
    path = _hostile(tmp_path, data, kind)
    review = review_upload(path, data)  # refused by the guard, before openpyxl opens the file
    assert len(review.errors) == 1 and "远多于表单" in review.errors[0].message, review.errors
    with pytest.raises(BriefError, match="远多于表单"):
        mark_workbook(path, review.errors)
