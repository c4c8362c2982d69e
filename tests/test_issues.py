"""Issue 18: 期号 kept in data/issues.yaml, the 版头 and 版记 of an issued brief, and distribute
stamping 份号 in the 版记's order and never emailing a 秘密 brief.

One data dir is issued and distributed once per module (three county briefs and the summary,
numbers 1–4; a 增刊); the tests read what a user would: the command lines, issues.yaml, the PDFs
(pdftotext), the DOCX (python-docx) and the outbox's .eml attachments."""

from __future__ import annotations

import email
import io
import re
import shutil
import subprocess
import sys
from email.policy import default as default_policy
from pathlib import Path

import pytest

from helpers import brief, data_copy, docx_paragraphs, file_sha, has, pdftotext, squash

pytestmark = pytest.mark.skipif(not has("pdftotext"), reason="poppler-utils needed")
pypdf = pytest.importorskip("pypdf")

YEAR = "2023"
SHULE = f"{YEAR}年疏勒县援疆工作简报"
MAIGAITI = f"{YEAR}年麦盖提县援疆工作简报"
PROGRAM = f"{YEAR}年山东援疆指挥部工作简报"
RECIPIENTS = """\
- name: 自治区党委办公厅
  email: xj@example.org
  role: 报
  briefs: [shule]
- name: 喀什地区行署
  email: ks@example.org
  role: 送
  briefs: [shule]
- name: 疏勒县委
  email: sl@example.org
  briefs: []
  extra: [shule]
"""


def _issue(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return brief("issue", *args, "--year", YEAR, "--data", str(data))


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("issued")
    data = data_copy(tmp, {
        "programs/shandong.yaml": ("counties:", "total_from: 75\narchive_copies: 2\ncounties:"),
        "counties/maigaiti/2023.yaml": ("county:", "classification: 秘密\ncounty:"),
    })
    with (data / "recipients.yaml").open("a", encoding="utf-8") as fh:
        fh.write(RECIPIENTS)
    said = [_issue(data, "yingjisha", "--date", "2023-12-01"),
            _issue(data, "shule", "--date", "2023-12-20"),
            _issue(data, "yuepuhu", "--date", "2023-12-21"),
            _issue(data, "shandong", "--summary", "--date", "2023-12-28"),
            _issue(data, "maigaiti", "--supplement", "--date", "2023-12-29")]
    out = tmp / "out"
    sent = brief("distribute", "--year", YEAR, "--data", str(data), "--out", str(out))
    return {"data": data, "out": out, "said": said, "sent": sent}


@pytest.mark.slow
def test_issue_numbers_county_briefs_and_summary_in_one_series(issued: dict) -> None:
    lines = [(r.returncode, r.stdout.strip()) for r in issued["said"]]
    assert lines == [(0, "2023年第1期"), (0, "2023年第2期"), (0, "2023年第3期"), (0, "2023年第4期"),
                     (0, "2023年增刊第1期")]
    text = (issued["data"] / "issues.yaml").read_text(encoding="utf-8")
    assert ("- publication: 援疆工作简报\n  year: 2023\n  number: 4\n  series: 正刊\n"
            "  document: summary:shandong\n  date: 2023-12-28\n") in text
    assert "  number: 1\n  series: 增刊\n  document: maigaiti\n" in text


@pytest.mark.slow
def test_issue_refuses_a_reissue_with_its_number(issued: dict, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(issued["data"], data)
    before = (data / "issues.yaml").read_bytes()
    for extra in ((), ("--supplement",)):
        result = _issue(data, "shule", *extra)
        assert result.returncode == 1
        assert result.stderr.strip() == f"{data / 'issues.yaml'}:8: document: shule 已编为2023年第2期，不能再编号"
    assert (data / "issues.yaml").read_bytes() == before


@pytest.mark.slow
def test_two_concurrent_issues_get_numbers_1_and_2(tmp_path: Path) -> None:
    data = data_copy(tmp_path)
    procs = [subprocess.Popen([sys.executable, "-m", "brief", "issue", cid, "--year", YEAR, "--data", str(data)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for cid in ("shule", "yuepuhu")]
    results = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
    assert sorted(r[0].strip() for r in results) == ["2023年第1期", "2023年第2期"], results
    assert all(r[2] == 0 for r in results)
    text = (data / "issues.yaml").read_text(encoding="utf-8")
    assert text.count("  number: 1\n") == 1 and text.count("  number: 2\n") == 1


@pytest.mark.slow
def test_validate_reports_gap_duplicate_and_missing_document(tmp_path: Path) -> None:
    data = data_copy(tmp_path)
    path = data / "issues.yaml"
    entry = "- publication: 援疆工作简报\n  year: 2023\n  number: {n}\n  document: {d}\n  date: 2023-12-20\n"
    path.write_text("".join(entry.format(n=n, d=d) for n, d in
                            ((1, "shule"), (1, "yuepuhu"), (3, "gone"), (4, "shule"))), encoding="utf-8")
    result = brief("validate", "--data", str(data))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{path}:6: number: 2023年第1期已在第 1 行给了 shule：期号不能重复",
        f"{path}:11: document: 2023 年没有“gone”这份简报：应为县 id、项目 id 或 summary:<项目 id>",
        f"{path}:11: number: 《援疆工作简报》2023年正刊缺少第2期：期号应从 1 起连续",
        f"{path}:16: document: shule 在 2023 年已于第 1 行编为2023年第1期：一份简报只编一次号",
    ]


@pytest.mark.slow
def test_masthead_shows_number_total_and_signing_date_in_pdf_and_docx(issued: dict) -> None:
    folder = issued["out"] / YEAR
    head = squash(pdftotext(folder / f"{SHULE}.pdf", "-l", "1"))
    assert head.startswith("援疆工作简报2023年第2期（总第77期）东营援疆指挥部2023年12月20日")
    paras = docx_paragraphs(folder / f"{SHULE}.docx", tables=False)
    assert paras[:3] == ["援疆工作简报", "2023年第2期（总第77期）", "东营援疆指挥部2023年12月20日"]


@pytest.mark.slow
def test_supplement_and_classification_in_masthead(issued: dict) -> None:
    folder = issued["out"] / YEAR
    head = squash(pdftotext(folder / f"{MAIGAITI}.pdf", "-l", "1"))
    # 麦盖提 is a draft: its page 1 says 征求意见稿 once, in the top margin, before the masthead
    assert head.startswith("征求意见稿秘密援疆工作简报2023年增刊第1期")  # no 总第N期: 增刊 does not count
    assert docx_paragraphs(folder / f"{MAIGAITI}.docx", tables=False)[:4] == [
        "征求意见稿", "秘密", "援疆工作简报", "2023年增刊第1期"]  # the DOCX too, in the same place


BANJI = ["报：自治区党委办公厅。", "送：喀什地区行署。", "发：东营援疆指挥部。", "本期增发：疏勒县委。",
         "东营援疆指挥部2023年12月20日印发", "（共印6份）"]  # 4 recipients + archive_copies 2


@pytest.mark.slow
def test_banji_ends_the_last_page_in_pdf_and_docx(issued: dict) -> None:
    folder = issued["out"] / YEAR
    pages = pdftotext(folder / f"{SHULE}.pdf").split("\f")
    last = squash([p for p in pages if p.strip()][-1])
    assert re.fullmatch(r".*" + re.escape(squash("".join(BANJI))) + r"—\d+—", last), last[-200:]
    # in the DOCX the 印发 line and 共印X份 are one paragraph (a line break: no rule between them)
    docx_banji = [*BANJI[:-2], BANJI[-2] + BANJI[-1]]
    assert docx_paragraphs(folder / f"{SHULE}.docx")[-len(docx_banji):] == docx_banji


def _attachments(out: Path) -> dict[str, dict[str, bytes]]:
    found: dict[str, dict[str, bytes]] = {}
    for eml in sorted((out / "outbox").glob("*.eml")):
        msg = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
        for part in msg.iter_attachments():
            found.setdefault(eml.stem.removesuffix(f"-{YEAR}"), {})[part.get_filename()] = part.get_content()
    return found


def _copy_number(blob: bytes) -> str:
    text = pypdf.PdfReader(io.BytesIO(blob)).pages[0].extract_text()
    return next(w for w in text.split() if w.isdigit() and len(w) == 6)


@pytest.mark.slow
def test_copy_numbers_follow_the_banji_order(issued: dict) -> None:
    sent = _attachments(issued["out"])
    numbers = {who: _copy_number(files[f"{SHULE}.pdf"]) for who, files in sent.items() if f"{SHULE}.pdf" in files}
    assert numbers == {"自治区党委办公厅": "000001", "喀什地区行署": "000002", "东营援疆指挥部": "000003",
                       "疏勒县委": "000004"}
    import sqlite3

    with sqlite3.connect(issued["out"] / "ledger.sqlite") as db:  # the ledger records the same numbers
        rows = db.execute("SELECT email, copy_no FROM copies WHERE file=? ORDER BY copy_no", (f"{SHULE}.pdf",))
        assert list(rows) == [("xj@example.org", 1), ("ks@example.org", 2), ("dongying@example.org", 3),
                              ("sl@example.org", 4)]


@pytest.mark.slow
def test_secret_brief_never_reaches_the_outbox(issued: dict) -> None:
    result = issued["sent"]
    assert result.returncode == 1
    assert (f"{issued['data'] / 'counties/maigaiti/2023.yaml'}: classification: {MAIGAITI}.pdf 定为秘密，"
            "不通过邮件分发（未发送）；请按保密规定线下传递") in result.stderr.splitlines()
    assert all(f"{MAIGAITI}.pdf" not in files for files in _attachments(issued["out"]).values())
    assert "菏泽援疆指挥部" not in _attachments(issued["out"])  # it asks for maigaiti only
    dry = brief("distribute", "--year", YEAR, "--data", str(issued["data"]), "--out", str(issued["out"]),
                "--dry-run")
    assert dry.returncode == 1 and f"未发送（涉密）：{MAIGAITI}.pdf" in dry.stdout


@pytest.mark.slow
def test_unissued_brief_renders_byte_identical(issued: dict, tmp_path: Path) -> None:
    pristine = brief("render", "shandong", "--year", YEAR, "--out", str(tmp_path))
    assert pristine.returncode == 0, pristine.stderr
    for suffix in (".pdf", ".docx"):
        assert file_sha(tmp_path / YEAR / f"{PROGRAM}{suffix}") == file_sha(issued["out"] / YEAR / f"{PROGRAM}{suffix}")


@pytest.mark.slow
def test_recipient_change_rebuilds_only_the_briefs_whose_banji_changed(issued: dict, tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(issued["data"], data)
    shutil.copytree(issued["out"], out)
    with (data / "recipients.yaml").open("a", encoding="utf-8") as fh:
        fh.write("- name: 岳普湖县委\n  email: yph@example.org\n  role: 送\n  briefs: [yuepuhu]\n")
    result = brief("build", "--year", YEAR, "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    made = [line for line in result.stdout.splitlines() + result.stderr.splitlines() if line.startswith("已生成：")]
    assert made == [f"已生成：{YEAR}年岳普湖县援疆工作简报"]


@pytest.mark.slow
def test_validate_refuses_bad_role_extra_classification_and_counts(tmp_path: Path) -> None:
    data = data_copy(tmp_path, {
        "programs/shandong.yaml": ("counties:", "total_from: -1\narchive_copies: 两份\ncounties:"),
        "counties/shule/2023.yaml": ("county:", "classification: 绝密\ncounty:"),
    })
    with (data / "recipients.yaml").open("a", encoding="utf-8") as fh:
        fh.write("- name: 某单位\n  email: x@example.org\n  role: 抄\n  briefs: [shule]\n  extra: [nowhere]\n")
    (data / "issues.yaml").write_text("- publication: 援疆工作简报\n  year: 2023\n  number: 0\n  document: shule\n"
                                      "  date: 2023-02-30\n  note: x\n", encoding="utf-8")
    result = brief("validate", "--data", str(data))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    program, shule = data / "programs/shandong.yaml", data / "counties/shule/2023.yaml"
    whole = "应为不小于 0 的整数，例如"
    for want in (f"{program}:{_line(program, 'total_from')}: total_from: {whole} total_from: 2",
                 f"{program}:{_line(program, 'archive_copies')}: archive_copies: {whole} archive_copies: 2",
                 f"{shule}:{_line(shule, 'classification')}: classification: “绝密”不是可选值；"
                 "应为 内部 或 秘密 或 机密",
                 f"{data / 'issues.yaml'}:3: number: 应为正整数，不是“0”",
                 f"{data / 'issues.yaml'}:5: date: 日期应写成 2023-12-20，不是“2023-02-30”"):
        assert want in lines, lines
    assert any(line.startswith(f"{data / 'recipients.yaml'}:") and ": role: “抄”不是可选值" in line for line in lines)
    assert any(": extra: " in line and "nowhere" in line for line in lines), lines
    assert any(line.startswith(f"{data / 'issues.yaml'}:6: note: ") for line in lines), lines


def _line(path: Path, key: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(key))


@pytest.mark.slow
def test_issue_refuses_a_bad_date_and_an_unknown_document(tmp_path: Path) -> None:
    data = data_copy(tmp_path)
    bad = _issue(data, "shule", "--date", "2023-13-01")
    assert (bad.returncode, bad.stderr.strip()) == (1, f"{data}: --date: 日期应写成 2023-12-20，不是“2023-13-01”")
    unknown = _issue(data, "nowhere")
    assert (unknown.returncode, unknown.stderr.strip()) == (
        1, f"{data}: nowhere: 没有“nowhere”2023 年的数据；应为县 ID（counties/ 下的文件夹名）或项目 ID")
    typo = _issue(data, "shlue")  # a misspelt id gets the nearest one, a wrong year the years there are
    assert (typo.returncode, typo.stderr.strip()) == (1, f"{data}: shlue: 没有“shlue”2023 年的数据；是否应为 shule？")
    wrong_year = brief("issue", "shule", "--year", "2031", "--data", str(data))
    assert wrong_year.returncode == 1
    assert wrong_year.stderr.startswith(f"{data}: shule: “shule”没有 2031 年的数据（有 ")
    assert wrong_year.stderr.strip().endswith(" 年的）；请检查 --year")
    assert not (data / "issues.yaml").exists()


@pytest.mark.slow
def test_issuing_one_more_brief_rebuilds_only_that_brief(issued: dict, tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(issued["data"], data)
    shutil.copytree(issued["out"], out)
    assert _issue(data, "shandong", "--date", "2023-12-30").stdout.strip() == "2023年第5期"
    result = brief("build", "--year", YEAR, "--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    made = [line for line in result.stdout.splitlines() + result.stderr.splitlines() if line.startswith("已生成：")]
    assert made == [f"已生成：{PROGRAM}"]
    assert "2023年第5期（总第80期）" in squash(pdftotext(out / YEAR / f"{PROGRAM}.pdf", "-l", "1"))


@pytest.mark.slow
def test_banji_never_shares_a_page_with_a_lone_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from brief import model
    from brief.writers.pdf import writer

    seen: list[bool] = []
    check = writer._lone_line
    monkeypatch.setattr(writer, "_lone_line", lambda placed: seen.append(check(placed)) or seen[-1])
    banji = model.Record(("发：某单位。",), "某办公室", "2023年12月20日印发", "（共印2份）")
    for extra in range(400, 800, 13):  # the filler moves the page break across the last paragraph
        blocks = (model.Masthead("援疆工作简报", "某办", "2023年"),
                  *(model.Paragraph((model.Text("测试文字" * 30),)) for _ in range(4)),
                  model.Paragraph((model.Text("填" * extra),)), model.Paragraph((model.Text("尾" * 5),)), banji)
        pdf = tmp_path / f"{extra}.pdf"
        pdf.write_bytes(writer.pdf_bytes(model.Document(model.Meta("t"), blocks)))
        page = next(p for p in pdftotext(pdf, "-layout").split("\f") if "印发" in p)
        body = [ln for ln in page.splitlines()[:page.splitlines().index(next(x for x in page.splitlines()
                                                                             if "发：某单位" in x))] if ln.strip()]
        assert len(body) != 1, (extra, body)
    assert any(seen), "no layout put a lone line above the 版记: the test proves nothing"


def test_issuing_a_draft_says_it_is_still_a_draft(tmp_path: Path) -> None:
    data = data_copy(tmp_path)
    result = brief("issue", "maigaiti", "--year", "2023", "--date", "2023-12-20", "--data", str(data))
    assert result.returncode == 0, result.stderr
    out = result.stdout + result.stderr
    assert "提示：麦盖提县 2023 年的数据仍是征求意见稿（status: draft）" in out, out
    final = brief("issue", "yingjisha", "--year", "2023", "--date", "2023-12-20", "--data", str(data))
    assert final.returncode == 0 and "征求意见稿" not in final.stdout + final.stderr
