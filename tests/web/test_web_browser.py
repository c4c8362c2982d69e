"""brief serve in a real browser: Debian's chromium, headless, driven by Selenium, against a server
started as a user starts it (``brief serve``) on a copy of the data dir.

The tests run in file order and share one server: upload a form with errors, fix it and import it,
build from the page, preview and download a brief, then the distribution dry run."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from brief.forms import make_form
from forms.test_forms import cell_of
from helpers import DATA, ROOT, pdftotext

# slow as a whole: a real browser and server, ~10 s of CPU, and its tests run in order on one server
pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium 未安装（pip install selenium）")
if not (CHROMIUM.is_file() and DRIVER.is_file()):
    pytest.skip("需要 Debian 的 chromium 与 chromium-driver（scripts/setup.sh 会安装）", allow_module_level=True)

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SHOTS = os.environ.get("BRIEF_WEB_SHOTS")  # a folder: save a 1280×800 screenshot of each page there
BAD = {"队伍建设!C4": "三个", "队伍建设!C5": "很多", "产业援疆!C7": "38座半"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(data: Path, out: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-m", "brief", "serve", "--data", str(data), "--out", str(out),
                             "--port", str(port), *extra], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            with urllib.request.urlopen(url + "/login", timeout=1):  # noqa: S310 - our own local server
                return proc, url
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read().decode() if proc.stderr else "server died") from None
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("brief serve did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(10)
    if proc.stderr:
        proc.stderr.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    root = tmp_path_factory.mktemp("site")
    data, out = root / "data", root / "out"
    shutil.copytree(DATA, data)
    proc, url = _start(data, out)
    yield url, data, out
    _stop(proc)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[object]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800",
                "--lang=zh-CN", "--disable-gpu"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    # the page itself 1280×800, as on an office screen (the window size includes the browser's frame)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False})
    yield driver
    driver.quit()


def shot(driver: object, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SHOTS) / f"{name}.png"))  # type: ignore[attr-defined]


def wait_for(driver: object, css: str, timeout: float = 20) -> object:
    return WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def downloaded(folder: Path, suffix: str, timeout: float = 20) -> Path:
    """The one finished download with this suffix (Chrome writes .crdownload until it is done)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        if found and not any(p.name.endswith(".crdownload") for p in folder.iterdir()):
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} downloaded: {list(folder.iterdir())}")


def upload(driver: object, url: str, path: Path) -> None:
    driver.get(url + "/forms")  # type: ignore[attr-defined]
    driver.find_element(By.NAME, "form").send_keys(str(path))  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "form[enctype] button").click()  # type: ignore[attr-defined]


def test_overview_page(site: tuple[str, Path, Path], browser: object) -> None:
    url, _, _ = site
    browser.get(url + "/")  # type: ignore[attr-defined]
    rows = browser.find_elements(By.CSS_SELECTOR, "table tr")  # type: ignore[attr-defined]
    assert len(rows) == 5 and "英吉沙县" in rows[-1].text and "已报" in rows[-1].text
    shot(browser, "overview-before")


def test_upload_with_three_errors_then_fixed_and_imported(site: tuple[str, Path, Path], browser: object,
                                                          downloads: Path, tmp_path: Path) -> None:
    url, data, _ = site
    form = make_form(data, "yingjisha", 2023, tmp_path)  # what the 下载填报表 link sends
    wb = load_workbook(form)
    for where, value in BAD.items():
        sheet, cell = where.split("!")
        wb[sheet][cell].value = value
    bad = tmp_path / "filled.xlsx"
    wb.save(bad)

    upload(browser, url, bad)
    items = [li.text for li in wait_for(browser, "#errors").find_elements(By.TAG_NAME, "li")]  # type: ignore
    assert len(items) == 3, items
    assert [i.split(" ")[0] for i in items] == list(BAD)
    shot(browser, "review-errors")

    browser.find_element(By.ID, "marked").click()  # type: ignore[attr-defined]
    marked = load_workbook(downloaded(downloads, ".xlsx"))
    for where in BAD:
        sheet, cell = where.split("!")
        c = marked[sheet][cell]
        assert c.fill.fgColor.rgb.endswith("FFC7CE"), (where, c.fill.fgColor.rgb)
        assert c.comment is not None and c.comment.text.strip(), where
    assert marked["队伍建设"]["C6"].comment is None

    sheet, cell = cell_of(form, "free_clinics")
    fixed = load_workbook(form)
    fixed[sheet][cell].value = "47"
    fixed.save(tmp_path / "fixed.xlsx")
    upload(browser, url, tmp_path / "fixed.xlsx")
    table = wait_for(browser, "#changes")
    assert "义诊巡诊活动 free_clinics 31次 47次" in table.text  # type: ignore[attr-defined]
    shot(browser, "review-clean")
    browser.find_element(By.ID, "import").click()  # type: ignore[attr-defined]
    assert "已导入" in wait_for(browser, "#imported").text  # type: ignore[attr-defined]
    assert "free_clinics: 47" in (data / "counties/yingjisha/2023.yaml").read_text(encoding="utf-8")
    shot(browser, "imported")


def test_build_from_the_page_with_progress(site: tuple[str, Path, Path], browser: object) -> None:
    url, _, out = site
    browser.get(url + "/briefs")  # type: ignore[attr-defined]
    shot(browser, "briefs-before")
    browser.find_element(By.ID, "build").click()  # type: ignore[attr-defined]
    wait_for(browser, "#bar")
    shot(browser, "build-running")
    WebDriverWait(browser, 240).until(lambda d: d.find_element(By.ID, "state").text)
    assert browser.find_element(By.ID, "state").text == "完成"  # type: ignore[attr-defined]
    assert browser.find_element(By.ID, "bar").get_attribute("style").replace(" ", "") == "width:100%;"  # type: ignore
    assert "已完成 8 / 8 份" in browser.find_element(By.ID, "count").text  # type: ignore[attr-defined]
    assert (out / "2023" / "2023年英吉沙县援疆工作简报.pdf").is_file()
    shot(browser, "build-done")


def test_preview_and_download_pdf(site: tuple[str, Path, Path], browser: object, downloads: Path) -> None:
    url, _, _ = site
    browser.get(url + "/briefs")  # type: ignore[attr-defined]
    shot(browser, "briefs")
    row = browser.find_element(By.XPATH, "//tr[td[1]='2023年英吉沙县援疆工作简报']")  # type: ignore[attr-defined]
    row.find_element(By.LINK_TEXT, "预览").click()
    images = WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pages img"))
    WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('.pages img')].every(i => i.complete && i.naturalWidth > 600)"))
    assert len(images) >= 2
    shot(browser, "preview")
    browser.find_element(By.ID, "pdf").click()  # type: ignore[attr-defined]
    text = pdftotext(downloaded(downloads, ".pdf"))
    assert "英吉沙县" in text and "47次" in text  # 义诊巡诊活动, imported from the form above


def test_distribution_dry_run_page(site: tuple[str, Path, Path], browser: object) -> None:
    url, _, out = site
    browser.get(url + "/distribute?year=2023")  # type: ignore[attr-defined]
    plan = wait_for(browser, "#plan", 120)
    assert "济宁援疆指挥部" in plan.text and "2023年英吉沙县援疆工作简报.pdf" in plan.text  # type: ignore
    assert "新文件，将发送" in plan.text  # type: ignore[attr-defined]
    assert not (out / "ledger.sqlite").exists()
    shot(browser, "distribute")


def test_an_old_form_s_kept_values_are_told_on_the_review_and_imported_pages(
        site: tuple[str, Path, Path], browser: object, tmp_path: Path) -> None:
    """A form made before the county file was edited: the fields it left alone keep the file's newer
    values, and both pages say which, in a line a clerk reads without scrolling sideways."""
    url, data, _ = site
    form = make_form(data, "yingjisha", 2023, tmp_path)
    county = data / "counties/yingjisha/2023.yaml"
    text = county.read_text(encoding="utf-8")
    for old, new in (("partner: 济宁市", "partner: 济南市"), ("command: 济宁援疆指挥部", "command: 济南援疆指挥部")):
        assert old in text
        text = text.replace(old, new)
    county.write_text(text, encoding="utf-8")  # edited after the form was made
    sheet, cell = cell_of(form, "free_clinics")
    wb = load_workbook(form)
    wb[sheet][cell].value = "52"
    wb.save(tmp_path / "old.xlsx")
    upload(browser, url, tmp_path / "old.xlsx")
    wait_for(browser, "#changes")
    kept = browser.find_element(By.ID, "kept")  # type: ignore[attr-defined]
    assert kept.text.endswith("保留文件中的新值：援助城市、援疆指挥部"), kept.text
    button = browser.find_element(By.ID, "import")  # type: ignore[attr-defined]
    assert kept.rect["y"] + kept.rect["height"] <= button.rect["y"]  # read before 导入 is pressed, not after
    shot(browser, "review-kept")
    wide = "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    for page in ("review", "imported"):
        assert browser.execute_script(wide), page  # type: ignore[attr-defined]
        box = kept.rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280 and kept.is_displayed(), (page, box)
        if page == "review":
            browser.find_element(By.ID, "import").click()  # type: ignore[attr-defined]
            wait_for(browser, "#imported")
            kept = browser.find_element(By.ID, "kept")  # type: ignore[attr-defined]
            assert "援助城市、援疆指挥部" in kept.text
    shot(browser, "imported-kept")
    after = county.read_text(encoding="utf-8")
    assert "partner: 济南市" in after and "command: 济南援疆指挥部" in after and "free_clinics: 52" in after


def test_login_required_with_password(browser: object, tmp_path: Path) -> None:
    proc, url = _start(DATA, tmp_path / "out", "--password", "局域网口令")
    try:
        browser.get(url + "/briefs")  # type: ignore[attr-defined]
        assert "/login" in browser.current_url  # type: ignore[attr-defined]
        shot(browser, "login")
        browser.find_element(By.NAME, "password").send_keys("wrong")  # type: ignore[attr-defined]
        browser.find_element(By.CSS_SELECTOR, "form button").click()  # type: ignore[attr-defined]
        assert "密码不对" in wait_for(browser, "ul.errors").text  # type: ignore[attr-defined]
        browser.find_element(By.NAME, "password").send_keys("局域网口令")  # type: ignore[attr-defined]
        browser.find_element(By.CSS_SELECTOR, "form button").click()  # type: ignore[attr-defined]
        WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/briefs"))
        assert "年简报" in browser.find_element(By.TAG_NAME, "h1").text  # type: ignore[attr-defined]
    finally:
        _stop(proc)
