"""brief serve through Flask's test client: states, safety (CSRF, login, ids, sizes, errors), files."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from brief.build import build, file_hash
from brief.cli import main
from brief.compose.issue import issue_document
from brief.distribute.ledger import LEDGER, Ledger
from brief.web import create_app
from helpers import DATA, pdftotext

# werkzeug's test client leaves an upload's spooled temp file to the garbage collector
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

YEAR = 2023
PDF = "2023年英吉沙县援疆工作简报.pdf"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The data dir with 英吉沙县 2023 issued, and its 2023 briefs built: made once, copied per test."""
    root = tmp_path_factory.mktemp("built")
    data, out = root / "data", root / "out"
    shutil.copytree(DATA, data)
    issue_document(data, "yingjisha", YEAR, False, dt.date(2023, 12, 20), False)
    build(data, out, YEAR, jobs=2)
    return data, out


@pytest.fixture
def site(built: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(built[0], data)
    shutil.copytree(built[1], out)
    return data, out


def client(data: Path, out: Path, password: str | None = None):  # type: ignore[no-untyped-def]
    app = create_app(data, out, password, work=out.parent / "work")
    return app.test_client()


def text(response) -> str:  # type: ignore[no-untyped-def]
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def token(c, path: str = "/briefs") -> str:  # type: ignore[no-untyped-def]
    html = c.get(path).get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def form_of(c, path: str, button: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The hidden fields of the form holding the button ``id="<button>"`` on ``path``, as the browser
    would post them (the CSRF token, the year, the key of the plan shown)."""
    html = c.get(path).get_data(as_text=True)
    form = next(f for f in re.findall(r"<form.*?</form>", html, re.S) if f'id="{button}"' in f)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def row(page: str, county: str) -> str:
    """The overview's table row of one county, as text."""
    return re.search(rf"{county} (?:[a-z]+ )?(\S+ .*?)(?:下载填报表|无往年数据)", page).group(1)


@pytest.mark.slow
def test_overview_states_from_the_files_the_build_and_the_ledger(site: tuple[Path, Path]) -> None:
    data, out = site
    (data / "counties/maigaiti/2023.yaml").unlink()
    shule = data / "counties/shule/2023.yaml"
    shule.write_text(shule.read_text(encoding="utf-8").replace("year: 2023", "year: 二〇二三", 1), encoding="utf-8")
    yuepuhu = data / "counties/yuepuhu/2023.yaml"
    yuepuhu.write_text(yuepuhu.read_text(encoding="utf-8") + "\n# 改动\n", encoding="utf-8")
    with Ledger(out / LEDGER) as ledger:
        ledger.mark("济宁援疆指挥部", "jining@example.org", YEAR, [(PDF, file_hash(out / "2023" / PDF))], "sent")

    page = text(client(data, out).get(f"/?program=shandong&year={YEAR}"))
    assert row(page, "maigaiti").startswith("未报")  # no file at all: named by its id
    assert "无往年数据，不能预填" in page
    bad = row(page, "疏勒县")
    assert bad.startswith("有错") and "counties/shule/2023.yaml:8: year:" in bad
    assert row(page, "岳普湖县").startswith("已报")  # its file changed since the build
    assert row(page, "英吉沙县").startswith("已分发 2023年第1期")


@pytest.mark.slow
def test_built_and_not_sent_is_built(site: tuple[Path, Path]) -> None:
    page = text(client(*site).get("/"))
    assert row(page, "疏勒县").startswith("已生成")
    assert "已生成 4 个县" in page


def test_every_post_needs_the_session_csrf_token(site: tuple[Path, Path]) -> None:
    c = client(*site)
    good = token(c)
    wrong = ("y" if good[0] == "x" else "x") + good[1:]  # "x" + good[1:] was good itself one time in 64
    for sent in ({}, {"csrf": wrong}, {"csrf": ""}):
        r = c.post("/build", data=sent)
        assert r.status_code == 400
        assert "安全校验未通过" in text(r)
    other = client(*site)  # another browser's token is not this one's
    assert other.post("/build", data={"csrf": good}).status_code == 400


def test_password_needs_login_first(site: tuple[Path, Path]) -> None:
    c = client(*site, password="秘密123")
    login_page = c.get("/login").get_data(as_text=True)
    assert str(site[0]) not in login_page and "概览" not in login_page  # nothing about the office before login
    assert "密码请向启动本工作台的同事索取" in login_page and "--password" not in login_page  # no option names
    r = c.get("/briefs")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert c.get("/briefs/county/yingjisha/2023/pdf").status_code == 302
    csrf = token(c, "/login")
    assert "密码不对" in text(c.post("/login", data={"csrf": csrf, "password": "wrong"}))
    assert c.get("/").status_code == 302
    r = c.post("/login", data={"csrf": csrf, "password": "秘密123", "next": "/briefs"})
    assert r.status_code == 303 and r.headers["Location"] == "/briefs"
    assert "英吉沙县" in text(c.get("/"))
    r = c.post("/login", data={"csrf": token(c), "password": "秘密123", "next": "//evil.example/"})
    assert r.headers["Location"] == "/"  # never off the site
    r = c.post("/login", data={"csrf": token(c), "password": "秘密123", "next": "/\\evil.example/"})
    assert r.headers["Location"] == "/"


def test_logging_out_ends_the_login_for_a_copied_cookie_too(site: tuple[Path, Path]) -> None:
    data, out = site
    app = create_app(data, out, "秘密123", work=out.parent / "work")
    mine = app.test_client()
    mine.post("/login", data={"csrf": token(mine, "/login"), "password": "秘密123"})
    assert mine.get("/").status_code == 200
    cookie = mine.get_cookie("brief_session")
    assert cookie is not None
    copy = app.test_client()  # someone kept the cookie (a shared PC, a proxy log)
    copy.set_cookie("brief_session", cookie.value)
    assert copy.get("/").status_code == 200
    mine.post("/logout", data={"csrf": token(mine)})
    assert mine.get("/").status_code == 302
    r = copy.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_local_server_answers_only_to_local_names(site: tuple[Path, Path]) -> None:
    c = client(*site)
    assert c.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert c.get("/", headers={"Host": "[::1]:8000"}).status_code == 200
    r = c.get("/", headers={"Host": "attacker.example:8000"})  # DNS rebinding
    assert r.status_code == 400 and "只能在本机" in text(r)
    lan = client(*site, password="pw")
    assert lan.get("/login", headers={"Host": "10.0.0.5:8000"}).status_code == 200
    assert lan.get("/login", headers={"Host": "[fe80::1]:8000"}).status_code == 200
    assert lan.get("/login", headers={"Host": f"{socket.gethostname()}:8000"}).status_code == 200
    r = lan.get("/login", headers={"Host": "attacker.example:8000"})  # DNS rebinding on the LAN
    assert r.status_code == 400 and "请用本机的 IP 地址或计算机名打开" in text(r)


def test_names_listed_in_brief_serve_names_are_accepted(site: tuple[Path, Path],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEF_SERVE_NAMES", "Brief.Office.Lan, other:8000, third.")
    lan = client(*site, password="pw")
    assert lan.get("/login", headers={"Host": "brief.office.lan:8000"}).status_code == 200
    assert lan.get("/login", headers={"Host": "brief.office.lan.:8000"}).status_code == 200
    assert lan.get("/login", headers={"Host": "other:8000"}).status_code == 200
    assert lan.get("/login", headers={"Host": "third"}).status_code == 200
    assert lan.get("/login", headers={"Host": "brief.office.lan.evil:8000"}).status_code == 400


def test_a_refused_form_download_names_the_data_file_not_the_server_path(site: tuple[Path, Path]) -> None:
    r = client(*site).get("/forms/nosuch/2023/download")
    assert r.status_code == 400
    line = re.findall(r"<li>(.*?)</li>", r.get_data(as_text=True))
    assert len(line) == 1 and line[0].startswith("counties/nosuch/2023.yaml: nosuch: ")


def test_without_password_no_login_page(site: tuple[Path, Path]) -> None:
    c = client(*site)
    assert c.get("/login").status_code == 302
    assert c.get("/").status_code == 200


def test_lan_host_without_password_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = CliRunner().invoke(main, ["serve", "--data", str(DATA), "--out", str(tmp_path), "--host", "0.0.0.0"])
    assert r.exit_code == 1
    assert r.output == ("--host 0.0.0.0: --password: 不是本机地址，局域网内的其他电脑都能打开："
                        "请同时用 --password 设置访问密码\n")
    started = []
    monkeypatch.setattr("brief.web.serve", lambda *a, **k: started.append(a))
    r = CliRunner().invoke(main, ["serve", "--data", str(DATA), "--host", "0.0.0.0", "--password", "pw"])
    assert r.exit_code == 0, r.output
    assert started and started[0][2:] == ("0.0.0.0", 8000, "pw")
    r = CliRunner().invoke(main, ["serve", "--data", str(DATA)])
    assert r.exit_code == 0 and started[-1][2] == "127.0.0.1"
    r = CliRunner().invoke(main, ["serve", "--data", str(DATA), "--host", "0.0.0.0"],
                           env={"BRIEF_SERVE_PASSWORD": "from-env"})
    assert r.exit_code == 0 and started[-1][4] == "from-env"


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        r = CliRunner().invoke(main, ["serve", "--data", str(DATA), "--out", str(tmp_path), "--port", str(port)])
    assert r.exit_code == 1
    assert r.output == f"127.0.0.1:{port}: --port: 已被其他程序占用：请用 --port 换一个端口\n"


@pytest.mark.parametrize("url", [
    "/briefs/county/..%2F..%2Fetc/2023/pdf", "/briefs/county/Yingjisha/2023/pdf", "/briefs/county/yingjisha/2023/exe",
    "/briefs/evil/yingjisha/2023/pdf", "/briefs/county/nosuch/2023/pdf", "/forms/..%2Fx/2023/download",
    "/forms/a.b/2023/download", "/preview/../../etc/passwd/1.png", "/preview/" + "0" * 64 + "/1.png",
    "/forms/review/" + "0" * 32, "/jobs/nosuch", "/nothing/here",
])
def test_bad_ids_are_one_chinese_line(site: tuple[Path, Path], url: str) -> None:
    r = client(*site).get(url)
    assert r.status_code == 404
    lines = re.findall(r"<li>(.*?)</li>", r.get_data(as_text=True))
    assert len(lines) == 1 and re.search(r"[\u4e00-\u9fff]", lines[0])


def test_bad_year_is_a_chinese_line(site: tuple[Path, Path]) -> None:
    r = client(*site).get("/?year=abc")
    assert r.status_code == 400 and "年份应为四位数字" in text(r)


def test_an_internal_error_is_a_line_not_a_traceback(site: tuple[Path, Path],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr("brief.web.status.county_rows", boom)
    r = client(*site).get("/")
    assert r.status_code == 500
    body = r.get_data(as_text=True)
    assert "服务器内部错误" in body and "Traceback" not in body and "secret detail" not in body


def test_upload_is_capped(site: tuple[Path, Path]) -> None:
    c = client(*site)
    big = io.BytesIO(b"PK" + b"0" * (6 * 1024 * 1024))
    r = c.post("/forms/upload", data={"csrf": token(c), "form": (big, "x.xlsx")}, content_type="multipart/form-data")
    assert r.status_code == 413 and "太大" in text(r)


def test_upload_without_a_file_says_so(site: tuple[Path, Path]) -> None:
    c = client(*site)
    r = c.post("/forms/upload", data={"csrf": token(c)}, content_type="multipart/form-data")
    assert r.status_code == 400 and "请先选择" in text(r)


def test_form_download_is_the_prefilled_form(site: tuple[Path, Path]) -> None:
    import openpyxl

    r = client(*site).get("/forms/yingjisha/2023/download")
    assert r.status_code == 200
    assert "filename*=UTF-8''2023%E5%B9%B4%E8%8B%B1%E5%90%89%E6%B2%99%E5%8E%BF" in r.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    values = {str(c.value) for ws in wb.worksheets for row_ in ws.iter_rows() for c in row_ if c.value is not None}
    assert "490" in values  # cadres_dispatched, pre-filled


@pytest.mark.slow
def test_preview_pages_and_downloads(site: tuple[Path, Path], tmp_path: Path) -> None:
    data, out = site
    c = client(data, out)
    page = c.get("/briefs/county/yingjisha/2023").get_data(as_text=True)
    images = re.findall(r'src="(/preview/[0-9a-f]{64}/\d+\.png)"', page)
    assert len(images) >= 2 and images[0].endswith("/1.png")
    png = c.get(images[0])
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    pdf = c.get("/briefs/county/yingjisha/2023/pdf")
    assert pdf.status_code == 200 and pdf.data == (out / "2023" / PDF).read_bytes()
    (tmp_path / "got.pdf").write_bytes(pdf.data)
    assert "英吉沙县" in pdftotext(tmp_path / "got.pdf") and "2023年第1期" in pdftotext(tmp_path / "got.pdf")
    docx = c.get("/briefs/summary/shandong/2023/docx")
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    listing = text(c.get("/briefs?year=2023"))
    assert "2023年山东援疆指挥部援疆工作年度汇总 年度汇总" in listing and "最新" in listing


def test_a_link_planted_in_out_is_not_followed(site: tuple[Path, Path], tmp_path: Path) -> None:
    data, out = site
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF-1.4 secret")
    target = out / "2023" / PDF
    target.unlink()
    target.symlink_to(secret)
    c = client(data, out)
    assert c.get("/briefs/county/yingjisha/2023/pdf").status_code == 404
    page = c.get("/briefs/county/yingjisha/2023").get_data(as_text=True)
    assert "还没有生成" in page and "/preview/" not in page


def test_preview_before_build_says_build_first(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    c = client(data, tmp_path / "out")
    assert "还没有生成" in text(c.get("/briefs/county/shule/2023"))
    r = c.get("/briefs/county/shule/2023/pdf")
    assert r.status_code == 404 and "全部生成" in text(r)


def _wait(c, location: str) -> dict:  # type: ignore[no-untyped-def]
    for _ in range(600):
        state = c.get(location + ".json").get_json()
        if not state["running"]:
            return state
        time.sleep(0.2)
    raise AssertionError("job did not finish")


@pytest.mark.slow
def test_failed_build_shows_its_line_and_changes_nothing(site: tuple[Path, Path]) -> None:
    data, out = site
    shule = data / "counties/shule/2023.yaml"
    shule.write_text(shule.read_text(encoding="utf-8").replace("year: 2023", "year: 二〇二三", 1), encoding="utf-8")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    c = client(data, out)
    r = c.post("/build", data={"csrf": token(c)})
    assert r.status_code == 302
    state = _wait(c, r.headers["Location"])
    assert not state["ok"] and state["percent"] == 0
    assert any(line.startswith("data/counties/shule/2023.yaml:8: year:") for line in state["lines"]), state
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.slow  # three brief subprocesses (dry run, send, resend): about 10 s
def test_distribution_plan_send_and_ledger(site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIEF_SMTP_HOST", raising=False)
    data, out = site
    c = client(data, out)
    plan = text(c.get("/distribute?year=2023"))
    assert "济宁援疆指挥部 jining@example.org 2023年英吉沙县援疆工作简报.pdf" in plan
    assert "新文件，将发送" in plan and "演练：将发送 9，跳过 0，状态不明 0" in plan
    assert "data/recipients.yaml 第 3、6、9、12、15、18 行仍是示例邮箱" in plan  # the shipped names: a note
    assert not (out / LEDGER).exists()  # a dry run writes nothing
    r = c.post("/distribute", data=form_of(c, "/distribute?year=2023", "send"))
    state = _wait(c, r.headers["Location"])
    assert state["ok"], state
    ledger = text(c.get("/distribute/ledger?year=2023"))
    assert "济宁援疆指挥部 jining@example.org 2023年英吉沙县援疆工作简报.pdf" in ledger
    assert ledger.count("已发送") >= 7 and "重发状态不明" not in ledger
    # a delivery in doubt: shown with how to resend
    with Ledger(out / LEDGER) as book:
        book.mark("济宁援疆指挥部", "jining@example.org", YEAR, [(PDF, file_hash(out / "2023" / PDF))], "unknown",
                  "连接中断")
    ledger = text(c.get("/distribute/ledger?year=2023"))
    assert "状态不明" in ledger and "brief distribute --year 2023 --resend" in ledger
    assert 'id="resend"' in c.get("/distribute/ledger?year=2023").get_data(as_text=True)
    overview = text(c.get("/"))
    yingjisha = row(overview, "英吉沙县")  # sent to one recipient, in doubt for another
    assert yingjisha.startswith("已分发 2023年第1期") and "有收件单位发送状态不明" in yingjisha
    r = c.post("/distribute", data=form_of(c, "/distribute/ledger?year=2023", "resend"))
    assert _wait(c, r.headers["Location"])["ok"]
    with Ledger(out / LEDGER, readonly=True) as book:
        assert book.get("jining@example.org", PDF, file_hash(out / "2023" / PDF)).state == "sent"
    assert "重发状态不明" not in text(c.get("/distribute/ledger?year=2023"))
    assert row(overview, "疏勒县").startswith("已分发")


def _upload(c, path: Path, name: str = "表.xlsx"):  # type: ignore[no-untyped-def]
    with open(path, "rb") as fh:
        r = c.post("/forms/upload", data={"csrf": token(c, "/forms"), "form": (fh, name)},
                   content_type="multipart/form-data")
    assert r.status_code == 302, text(r)
    return r.headers["Location"]


def _form(data: Path, tmp_path: Path, cells: dict[str, str]) -> Path:
    from openpyxl import load_workbook

    from brief.forms import make_form

    path = make_form(data, "yingjisha", YEAR, tmp_path / "forms")
    wb = load_workbook(path)
    for where, value in cells.items():
        sheet, cell = where.split("!")
        wb[sheet][cell].value = value
    wb.save(path)
    return path


@pytest.mark.slow
def test_upload_review_errors_marked_then_import(site: tuple[Path, Path], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    data, out = site
    c = client(data, out)
    before = (data / "counties/yingjisha/2023.yaml").read_bytes()
    review = _upload(c, _form(data, tmp_path, {"队伍建设!C4": "三个", "产业援疆!C7": "38座半"}), "../../etc/x.xlsx")
    page = text(c.get(review))
    assert "发现 2 处问题" in page and "队伍建设!C4" in page and "产业援疆!C7" in page
    assert "../" not in page and str(out.parent / "work") not in page  # the user's name, cleaned; no server path
    marked = c.get(review + "/marked")
    assert "filename*=UTF-8''x%EF%BC%88" in marked.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(marked.data))
    assert wb["队伍建设"]["C4"].comment is not None and wb["队伍建设"]["C5"].comment is None
    assert (data / "counties/yingjisha/2023.yaml").read_bytes() == before

    clean = _upload(c, _form(data, tmp_path, {"智力援疆!C11": "36"}))
    page = text(c.get(clean))
    assert "义诊巡诊活动 free_clinics 31次 36次" in page and "英吉沙县 2023 年的数据将有以下 1 处变化" in page
    assert (data / "counties/yingjisha/2023.yaml").read_bytes() == before  # reviewing writes nothing
    assert c.post(clean + "/import", data={"csrf": "wrong"}).status_code == 400
    assert (data / "counties/yingjisha/2023.yaml").read_bytes() == before
    done = c.post(clean + "/import", data={"csrf": token(c)})
    assert "已导入" in text(done) and "counties/yingjisha/2023.yaml" in text(done)
    assert "free_clinics: 36" in (data / "counties/yingjisha/2023.yaml").read_text(encoding="utf-8")
    assert c.get(clean).status_code == 404  # imported: gone


@pytest.mark.slow
def test_a_failed_import_changes_nothing_and_says_why(site: tuple[Path, Path], tmp_path: Path) -> None:
    data, out = site
    c = client(data, out)
    review = _upload(c, _form(data, tmp_path, {"智力援疆!C11": "36"}))
    assert "检查无误" in text(c.get(review))
    csrf = token(c)
    catalog = data / "indicators.yaml"  # broken between the check and the import
    catalog.write_text(catalog.read_text(encoding="utf-8") + "\n  : [\n", encoding="utf-8")
    before = (data / "counties/yingjisha/2023.yaml").read_bytes()
    page = text(c.post(review + "/import", data={"csrf": csrf}))
    assert "无法导入，数据没有任何改动： indicators.yaml:" in page and str(data) not in page.split("数据目录")[0]
    assert (data / "counties/yingjisha/2023.yaml").read_bytes() == before


def test_an_upload_is_only_its_uploaders(site: tuple[Path, Path], tmp_path: Path) -> None:
    data, out = site
    app = create_app(data, out, work=tmp_path / "work")
    mine, theirs = app.test_client(), app.test_client()
    review = _upload(mine, _form(data, tmp_path, {"队伍建设!C4": "三个"}))
    assert theirs.get(review).status_code == 404
    assert theirs.get(review + "/marked").status_code == 404


def test_not_a_workbook_is_one_line(site: tuple[Path, Path], tmp_path: Path) -> None:
    data, out = site
    c = client(data, out)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip at all")
    page = text(c.get(_upload(c, junk, "junk.xlsx")))
    assert "junk.xlsx" not in page.split("检查结果")[0]
    assert str(out.parent / "work") not in page and "upload.xlsx" not in page and "Traceback" not in page
    assert "不是 Excel 工作簿" in page and "下载标出错误的表格" not in page  # no cell to mark


def test_job_progress_counts_each_brief_as_it_is_reported(tmp_path: Path) -> None:
    """The bar moves while the command runs: each progress line the build prints is one step."""
    import subprocess
    import sys
    import threading

    from brief.web.jobs import Job, Jobs

    gate = tmp_path / "go"
    script = ("import sys, time, pathlib\n"
              "print('已生成：甲', file=sys.stderr, flush=True)\n"
              f"while not pathlib.Path({str(gate)!r}).exists(): time.sleep(0.02)\n"
              "print('无变化：乙', file=sys.stderr, flush=True)\nprint('已生成 1 份简报')\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, encoding="utf-8")
    job = Job("j", "生成全部简报", [], total=4)
    follower = threading.Thread(target=Jobs()._follow, args=(job, proc))
    follower.start()
    for _ in range(200):
        if job.done == 1:
            break
        time.sleep(0.02)
    assert job.running and job.to_json()["percent"] == 25
    gate.touch()
    follower.join(10)
    assert not job.running and job.ok and job.done == 2 and job.lines == ["已生成 1 份简报"]
    assert job.to_json()["percent"] == 100


def test_server_paths_shown_whole_only_to_the_local_clerk(tmp_path: Path) -> None:
    """Without a password the server answers on this machine only: the footer gives the full paths.
    With one (the LAN), pages and a finished job's lines give the folders' names, never where they lie."""
    from brief.web.jobs import Job

    data, out = tmp_path / "我的数据", tmp_path / "简报输出"
    shutil.copytree(DATA, data)
    local = text(client(data, out).get("/"))
    assert f"数据目录：{data.resolve()} · 输出目录：{out.resolve()}" in local

    app = create_app(data, out, "pw", work=tmp_path / "work")
    c = app.test_client()
    c.post("/login", data={"csrf": token(c, "/login"), "password": "pw", "next": "/"})
    page = text(c.get("/"))
    assert "数据目录：我的数据 · 输出目录：简报输出" in page
    assert str(tmp_path) not in c.get("/").get_data(as_text=True)
    job = Job("j1", "生成全部简报", [], total=1, running=False, rc=0,
              lines=[f"已生成 1 份简报（2 个文件），0 份无变化；清单：{out.resolve() / 'manifest.json'}"])
    app.extensions["brief.jobs"]._jobs[job.id] = job
    lines = c.get("/jobs/j1.json").get_json()["lines"]
    assert lines == ["已生成 1 份简报（2 个文件），0 份无变化；清单：简报输出/manifest.json"]


@pytest.mark.slow
def test_an_old_form_shows_the_newer_values_it_keeps(site: tuple[Path, Path], tmp_path: Path) -> None:
    data, out = site
    c = client(data, out)
    form = _form(data, tmp_path, {"智力援疆!C11": "36"})
    county = data / "counties/yingjisha/2023.yaml"
    county.write_text(county.read_text(encoding="utf-8").replace("partner: 济宁市", "partner: 济南市"),
                      encoding="utf-8")  # edited after the form was made
    review = _upload(c, form)
    page = text(c.get(review))
    assert "义诊巡诊活动 free_clinics 31次 36次" in page
    assert "表中未改动的这些项保留文件中的新值：援助城市" in page
    done = text(c.post(review + "/import", data={"csrf": token(c)}))
    assert "保留了文件中的新值：援助城市" in done
    assert "partner: 济南市" in county.read_text(encoding="utf-8")


def test_a_killed_server_s_work_dir_is_removed_at_the_next_start(tmp_path: Path) -> None:
    import subprocess

    from brief.web import remove_orphans

    gone = subprocess.Popen(["true"])
    gone.wait()  # a server killed with -9: its pid is free, its work dir left behind
    dead = tmp_path / f"brief-serve-{gone.pid}-abc"
    (dead / "uploads").mkdir(parents=True)
    alive = tmp_path / f"brief-serve-{os.getpid()}-def"  # a server still running
    alive.mkdir()
    other = tmp_path / "brief-serve-notapid-x"
    other.mkdir()
    odd = [tmp_path / f"brief-serve-{n}-x" for n in ("99999999999999999999", "\u0661\u0662", "0")]
    for path in odd:  # no pid a server can have (once an OverflowError at serve's start), or our group
        path.mkdir()
    assert remove_orphans(tmp_path) == [dead]
    assert not dead.exists() and alive.is_dir() and other.is_dir() and all(p.is_dir() for p in odd)


# -- what serve calls current: templates edited within one tick of a coarse clock ----------------


def _same_size_edits(name: str, body: bytes) -> tuple[bytes, bytes]:
    """Two versions of a template file, each the size of ``body``: a word of brief.md.j2 changed;
    reference.docx's first zip entry given another time (the zip stays valid, its bytes differ)."""
    if name.endswith(".j2"):
        word = "数据来源".encode()
        assert word in body
        return body.replace(word, "资料来源".encode(), 1), body.replace(word, "数据出处".encode(), 1)
    assert body[:4] == b"PK\x03\x04"
    return body[:10] + b"\x21\x00" + body[12:], body[:10] + b"\x42\x00" + body[12:]


def _stage(path: Path, content: bytes, tick: int) -> None:
    """Write ``content`` in place, its mtime ``tick``: a second save within one tick of FAT's clock."""
    with open(path, "r+b") as fh:
        fh.write(content)
    os.utime(path, ns=(tick, tick))


@pytest.mark.slow
def test_a_template_saved_twice_within_one_mtime_is_not_current(site: tuple[Path, Path], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve asks the build's own test (statcache: size, mtime, inode and ctime): a second save with
    the same size and mtime is seen, for the template and for reference.docx; put back, it is current."""
    from brief.documents import default_templates
    from brief.web import status

    data, out = site
    tpl = tmp_path / "templates"
    shutil.copytree(default_templates(), tpl)
    monkeypatch.setattr(status, "default_templates", lambda: tpl)
    tick = time.time_ns() - 100 * 10**9  # past the racy window: the build keeps the stat and trusts it
    edits = {}
    for name in ("brief.md.j2", "reference.docx"):
        edits[name] = _same_size_edits(name, (tpl / name).read_bytes())
        _stage(tpl / name, edits[name][0], tick)
    build(data, out, YEAR, jobs=1, templates=tpl)
    c = client(data, out)

    def state() -> str:
        return row(text(c.get("/")), "英吉沙县").split()[0]

    assert state() == "已生成"
    for name in ("brief.md.j2", "reference.docx"):
        path = tpl / name
        before = path.stat()
        _stage(path, edits[name][1], tick)
        after = path.stat()
        assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
        assert state() == "已报", name
        _stage(path, edits[name][0], tick)
        assert state() == "已生成", name


@pytest.mark.slow
def test_fat_second_save_in_the_same_tick_is_not_current(site: tuple[Path, Path], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """On FAT the ctime is the mtime (2 s steps) and the inode stays: two saves in one tick leave the
    whole stat as it was. The build keeps no stat of a file written within the last 2 s (or dated in
    the future: a file server whose clock is ahead), so serve reads such a file again."""
    from brief import statcache
    from brief.documents import default_templates
    from brief.web import status

    data, out = site
    tpl = tmp_path / "templates"
    shutil.copytree(default_templates(), tpl)
    monkeypatch.setattr(status, "default_templates", lambda: tpl)
    path = tpl / "brief.md.j2"
    first, second = _same_size_edits(path.name, path.read_bytes())
    real = os.stat

    def fat(st: os.stat_result) -> os.stat_result:
        """The stat FAT gives: its ctime is its mtime."""
        seq = [*st[:9], st[8], st.st_atime, st.st_mtime, st.st_mtime, st.st_atime_ns, st.st_mtime_ns,
               st.st_mtime_ns, st.st_blksize, st.st_blocks, st.st_rdev]
        made = os.stat_result(seq[:os.stat_result.n_fields])
        assert (made.st_ctime_ns, made.st_mtime, made.st_size) == (st.st_mtime_ns, st.st_mtime, st.st_size)
        return made

    monkeypatch.setattr(statcache.os, "stat",
                        lambda p, *a, **k: fat(real(p)) if str(p) == str(path) else real(p, *a, **k))
    tick = time.time_ns() + 60 * 10**9
    _stage(path, first, tick)
    build(data, out, YEAR, jobs=1, templates=tpl)
    c = client(data, out)
    assert row(text(c.get("/")), "英吉沙县").startswith("已生成")
    before = os.stat(path)
    _stage(path, second, tick)
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino, after.st_ctime_ns) == (
        before.st_size, before.st_mtime_ns, before.st_ino, before.st_ctime_ns)
    assert row(text(c.get("/")), "英吉沙县").startswith("已报")


# -- the distribution page's dry run, kept while nothing changed -------------------------------------


@pytest.mark.slow
def test_the_distribution_plan_is_kept_until_something_it_reads_changes(site: tuple[Path, Path],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from brief.web import views

    monkeypatch.delenv("BRIEF_SMTP_HOST", raising=False)
    data, out = site
    runs = []
    real = views.dry_run_plan
    monkeypatch.setattr(views, "dry_run_plan", lambda *a: runs.append(a) or real(*a))
    c = client(data, out)

    def plan() -> str:
        return text(c.get("/distribute?year=2023"))

    first = plan()
    assert "济宁援疆指挥部 jining@example.org" in first and len(runs) == 1
    assert plan() == first and len(runs) == 1  # nothing changed: the kept plan, no second dry run
    # the distribution list: saved twice within one mtime, the same size
    recipients = data / "recipients.yaml"
    st = recipients.stat()
    recipients.write_text(recipients.read_text(encoding="utf-8").replace("济宁援疆指挥部", "济宁援疆前指部", 1),
                          encoding="utf-8")
    os.utime(recipients, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert recipients.stat().st_size == st.st_size
    page = plan()
    assert "济宁援疆前指部 jining@example.org" in page and len(runs) == 2
    # the out dir: a brief removed
    (out / "2023" / PDF).unlink()
    page = plan()
    assert len(runs) == 3
    assert re.search(rf"{PDF} 发送时编号 新文件，将发送 尚未生成，将先生成", page)
    # the data: a county's figure changed
    shule = data / "counties/shule/2023.yaml"
    shule.write_text(shule.read_text(encoding="utf-8") + "\n# 改动\n", encoding="utf-8")
    page = plan()
    assert len(runs) == 4 and "2023年疏勒县援疆工作简报.pdf 发送时编号 新文件，将发送 需重新生成" in page
    assert plan() == page and len(runs) == 4
    # the ledger: a copy sent meanwhile (by the command, say)
    yuepuhu = "2023年岳普湖县援疆工作简报.pdf"
    with Ledger(out / LEDGER) as book:
        book.mark("聊城援疆指挥部", "liaocheng@example.org", YEAR, [(yuepuhu, file_hash(out / "2023" / yuepuhu))],
                  "sent")
    page = plan()
    assert len(runs) == 5 and f"{yuepuhu} 发送时编号 已发送过，跳过" in page
    # another year is a plan of its own; coming back to 2023 with nothing changed keeps its plan
    c.get("/distribute?year=2022")
    assert plan() == page and len(runs) == 6


@pytest.mark.slow
def test_the_plan_says_how_the_send_button_will_send(site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The button runs ``brief distribute`` with the server's BRIEF_SMTP_* settings: the plan above it
    is made with the same ones (it said 写入 outbox while the send went by mail)."""
    monkeypatch.setenv("BRIEF_SMTP_HOST", "mail.office.lan")
    monkeypatch.setenv("BRIEF_SMTP_PORT", "2525")
    page = text(client(*site).get("/distribute?year=2023"))
    assert "发送方式：SMTP mail.office.lan:2525" in page
    assert "真正分发时会被拒绝" in page  # the shipped example.org recipients, as a real run would refuse them


def test_a_plan_made_while_a_file_changed_is_not_kept(tmp_path: Path) -> None:
    """A dry run reads the files after its key was taken: an edit during it, put back after, must not
    bring that run's plan back for the state the key names (plancache.PlanCache.get)."""
    from brief.data.dataset import load_dataset
    from brief.web.plancache import PlanCache

    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(DATA, data)
    recipients = data / "recipients.yaml"
    before = recipients.read_text(encoding="utf-8")
    ds, plans = load_dataset(data), PlanCache()

    def edited_meanwhile() -> str:
        recipients.write_text(before + "\n# 改动\n", encoding="utf-8")
        return "the edited list's plan"

    assert plans.get(ds, out, YEAR, edited_meanwhile) == "the edited list's plan"
    recipients.write_text(before, encoding="utf-8")  # put back: the state the first key was taken of
    assert plans.get(ds, out, YEAR, lambda: "the plan of the list as it is") == "the plan of the list as it is"
    assert plans.get(ds, out, YEAR, lambda: "a third run") == "the plan of the list as it is"  # now kept
    assert plans.computed == 2


@pytest.mark.slow  # two dry runs and one send, each a brief subprocess
def test_a_changed_numbered_brief_is_refused_on_the_page_and_replaced_only_on_request(
        site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """英吉沙县 (2023年第1期) went out, then its data changed: the page shows the line `brief distribute`
    refuses with, no plain send button, and a replace button that runs --resend-changed."""
    from brief.distribute import distribute

    monkeypatch.delenv("BRIEF_SMTP_HOST", raising=False)
    data, out = site
    assert distribute(data, out, YEAR).ok  # to the outbox: counts as sent
    source = data / "counties/yingjisha/2023.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("开局之年", "开局之年（修订）", 1), encoding="utf-8")
    c = client(data, out)
    html = c.get("/distribute?year=2023").get_data(as_text=True)
    page = text(c.get("/distribute?year=2023"))
    assert f"{PDF}（2023年第1期）已发出，此后内容有变化：同一期号不能改发不同的内容" in page
    assert "演练：实际运行将拒绝发送：1 份已编号简报" in page
    assert page.count("已发出的编号简报内容有变化，不发送") == 2  # 喀什地委办公室, 济宁援疆指挥部
    assert 'id="send"' not in html and 'id="replace"' in html and 'name="resend_changed" value="1"' in html
    r = c.post("/distribute", data=form_of(c, "/distribute?year=2023", "replace"))
    state = _wait(c, r.headers["Location"])
    assert state["ok"], state
    assert any(line.startswith(f"已替换：{PDF}（2023年第1期）") for line in state["lines"]), state
    with Ledger(out / LEDGER, readonly=True) as book:
        assert book.get("jining@example.org", PDF, file_hash(out / "2023" / PDF)).state == "sent"
    html = c.get("/distribute?year=2023").get_data(as_text=True)
    assert 'id="send"' in html and 'id="replace"' not in html  # the replacement is now what went out


@pytest.mark.slow  # three dry runs and one send, each a brief subprocess
def test_a_send_from_a_plan_that_changed_since_it_was_shown_sends_nothing(
        site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The clerk checked a plan, then the distribution list changed: the old page's send button sends
    nothing and shows the new plan with one line; its own send button then sends that plan."""
    monkeypatch.delenv("BRIEF_SMTP_HOST", raising=False)
    data, out = site
    c = client(data, out)
    shown = form_of(c, "/distribute?year=2023", "send")
    assert len(shown["plan"]) == 64
    recipients = data / "recipients.yaml"
    recipients.write_text(recipients.read_text(encoding="utf-8").replace("济宁援疆指挥部", "济宁援疆前指部", 1),
                          encoding="utf-8")
    for posted in (shown, {**shown, "plan": ""}, {k: v for k, v in shown.items() if k != "plan"}):
        r = c.post("/distribute", data=posted)
        assert r.status_code == 409
        page = text(r)
        assert "分发计划已变化（数据、名单或已发记录有改动），本次未发送任何邮件：请核对新的计划后再发送" in page
        assert "济宁援疆前指部 jining@example.org" in page and "济宁援疆指挥部 jining" not in page  # the new plan
    assert not (out / LEDGER).exists() and not (out / "outbox").exists()  # nothing sent, nothing recorded
    again = form_of(c, "/distribute?year=2023", "send")
    assert again["plan"] != shown["plan"]
    # a PDF changed (rebuilt by hand, say): refused again, even with the list as shown
    pdf = out / "2023" / PDF
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    r = c.post("/distribute", data=again)
    assert r.status_code == 409 and "分发计划已变化" in text(r)
    pdf.write_bytes(pdf.read_bytes()[:-1])  # put back: the key is that of the files, the plan holds again
    state = _wait(c, c.post("/distribute", data=again).headers["Location"])
    assert state["ok"], state
    with Ledger(out / LEDGER, readonly=True) as book:
        assert book.get("jining@example.org", PDF, file_hash(pdf)).state == "sent"
    assert len(list((out / "outbox").glob("*.eml"))) == 6  # one message per recipient
    assert "济宁援疆前指部 jining@example.org" in text(c.get("/distribute/ledger?year=2023"))


@pytest.mark.slow  # a send and two dry runs, each a brief subprocess
def test_no_resend_while_the_plan_refuses_a_changed_numbered_brief(
        site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A delivery in doubt, then 英吉沙县 (2023年第1期) changed: `brief distribute --resend` would refuse,
    so the ledger page shows the refusal and no 重发 button; a 重发 form from before the change sends
    nothing and says the plan changed."""
    from brief.distribute import distribute

    monkeypatch.delenv("BRIEF_SMTP_HOST", raising=False)
    data, out = site
    assert distribute(data, out, YEAR).ok  # to the outbox: counts as sent
    with Ledger(out / LEDGER) as book:
        book.mark("济宁援疆指挥部", "jining@example.org", YEAR, [(PDF, file_hash(out / "2023" / PDF))], "unknown",
                  "连接中断")
    c = client(data, out)
    sha = file_hash(out / "2023" / PDF)  # the copy in doubt; the PDF is not rebuilt by a dry run
    before = form_of(c, "/distribute/ledger?year=2023", "resend")
    assert before["resend"] == "1" and len(before["plan"]) == 64
    source = data / "counties/yingjisha/2023.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("开局之年", "开局之年（修订）", 1), encoding="utf-8")
    html = c.get("/distribute/ledger?year=2023").get_data(as_text=True)
    page = text(c.get("/distribute/ledger?year=2023"))
    assert 'id="resend"' not in html
    assert f"{PDF}（2023年第1期）已发出，此后内容有变化：同一期号不能改发不同的内容" in page
    assert "现在不能重发：请先在 分发计划 中处理上面的问题。" in page and "确认对方未收到后点上方" not in page
    eml = sorted(p.name for p in (out / "outbox").glob("*.eml"))
    r = c.post("/distribute", data=before)
    assert r.status_code == 409
    page = text(r)
    assert "分发计划已变化（数据、名单或已发记录有改动），本次未发送任何邮件：请核对新的计划后再发送" in page
    assert 'id="resend"' not in r.get_data(as_text=True) and "现在不能重发" in page
    assert sorted(p.name for p in (out / "outbox").glob("*.eml")) == eml  # nothing resent
    with Ledger(out / LEDGER, readonly=True) as book:
        assert book.get("jining@example.org", PDF, sha).state == "unknown"
