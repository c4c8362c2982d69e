"""Issue 16, install and start: a wheel works outside the checkout, `brief init` gives a new office a
data dir that builds at once, and the help and usage errors are Chinese, click's own lines included."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from brief.cli_zh import display_width
from helpers import ROOT, brief

COMMANDS = ["init", "validate", "render", "summary", "build", "distribute", "form", "import", "fonts", "serve"]
# click's English words that must not reach a user (its metavars such as PATH may stay: CONTRACT.md)
ENGLISH = re.compile(r"Usage|Options|Commands|Error|Missing|Show this message|Invalid value|No such|"
                     r"is not a valid|Try '|Got unexpected|requires an argument|Did you mean|required|default:")


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH: the venv's brief must come from the wheel, not from a checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BRIEF_DEBUG")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The wheel built from a clean copy of the sources, installed into a fresh venv; (wheel, venv)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src-copy"  # a copy: an in-tree build/ left over in the checkout cannot slip into the wheel
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", src / "pyproject.toml")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(src)], tmp)
    (wheel,) = (tmp / "dist").glob("brief-*.whl")
    venv = tmp / "venv"
    # The deps are installed already (system site packages). No pip inside the venv: Debian's python3
    # has no ensurepip without python3-venv; this pip installs into the venv's python instead.
    run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], tmp)
    run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps",
         str(wheel)], tmp)
    return wheel, venv


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=_clean_env(), timeout=300)
    assert result.returncode == 0, (cmd, result.stdout, result.stderr)
    return result


@pytest.mark.slow
def test_wheel_holds_templates_and_starter(installed: tuple[Path, Path]) -> None:
    names = set(zipfile.ZipFile(installed[0]).namelist())
    for rel in ("templates/brief.md.j2", "templates/summary.md.j2", "templates/reference.docx",
                "starter/indicators.yaml", "starter/programs/shili.yaml", "starter/counties/shili/2023.yaml",
                "starter/recipients.yaml", "web/templates/base.html", "web/templates/overview.html",
                "web/static/style.css"):
        assert f"brief/{rel}" in names, rel


@pytest.mark.slow
def test_wheel_venv_imports_the_wheel_not_the_checkout(installed: tuple[Path, Path], tmp_path: Path) -> None:
    venv = installed[1]
    where = run([str(venv / "bin" / "python"), "-c", "import brief; print(brief.__file__)"], tmp_path).stdout.strip()
    assert Path(where).resolve().is_relative_to(venv.resolve()), where


@pytest.mark.slow
def test_wheel_init_validate_build_outside_checkout(installed: tuple[Path, Path], tmp_path: Path) -> None:
    exe = str(installed[1] / "bin" / "brief")
    run([exe, "init", "我的数据"], tmp_path)
    assert run([exe, "validate", "--data", "我的数据"], tmp_path).stdout.startswith("数据无误")
    run([exe, "build", "--data", "我的数据", "--out", "out"], tmp_path)
    pdfs = sorted(p.name for p in (tmp_path / "out").rglob("*.pdf"))
    assert pdfs == ["2023年示例县援疆工作简报.pdf", "2023年示例援疆指挥部援疆工作年度汇总.pdf"]
    # the tool fingerprint hashes the installed package's files: stable, so a second build writes nothing
    again = run([exe, "build", "--data", "我的数据", "--out", "out"], tmp_path)
    assert "都是最新的" in again.stdout
    # the templates come from the package: render with the default templates, then with --templates
    run([exe, "render", "shili", "--year", "2023", "--data", "我的数据", "--out", "r", "--format", "docx"], tmp_path)
    assert (tmp_path / "r" / "2023" / "2023年示例县援疆工作简报.docx").is_file()


@pytest.mark.slow
def test_wheel_help_is_chinese(installed: tuple[Path, Path], tmp_path: Path) -> None:
    out = run([str(installed[1] / "bin" / "brief"), "--help"], tmp_path).stdout
    assert out.startswith("用法：brief [选项] 命令 [参数]...") and not ENGLISH.search(out)


def test_default_templates_are_inside_the_package() -> None:
    import brief
    from brief.compose.county import default_templates

    package = Path(brief.__file__).resolve().parent
    assert default_templates() == package / "templates"
    assert (default_templates() / "reference.docx").is_file()
    # the checkout's templates/ (documented, used by --templates examples) is the same files
    assert (ROOT / "templates").resolve() == (ROOT / "src" / "brief" / "templates").resolve()


@pytest.mark.slow
def test_init_writes_a_data_dir_that_validates_and_renders(tmp_path: Path) -> None:
    result = brief("init", "新单位", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = {p.relative_to(tmp_path / "新单位").as_posix() for p in (tmp_path / "新单位").rglob("*") if p.is_file()}
    assert written == {"indicators.yaml", "programs/shili.yaml", "counties/shili/2023.yaml", "recipients.yaml"}
    assert brief("validate", "--data", "新单位", cwd=tmp_path).returncode == 0
    result = brief("render", "shili", "--year", "2023", "--data", "新单位", "--out", "o", "--format", "pdf",
                   cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    distribute = brief("distribute", "--year", "2023", "--dry-run", "--data", "新单位", "--out", "o", cwd=tmp_path)
    assert distribute.returncode == 0, distribute.stderr  # the recipients.yaml example is a working one
    assert "office@example.org" in distribute.stdout


def test_init_county_file_explains_every_key_in_chinese(tmp_path: Path) -> None:
    assert brief("init", "d", cwd=tmp_path).returncode == 0
    lines = (tmp_path / "d" / "counties" / "shili" / "2023.yaml").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if re.match(r"[a-z_]+:", line):  # a top-level key: a comment on its line or just above
            comment = line.partition("#")[2] or (lines[i - 1] if lines[i - 1].startswith("#") else "")
            assert re.search(r"[\u4e00-\u9fff]", comment), line
    assert "示例数据" in next(line for line in lines if line.startswith("source:"))


def test_init_refuses_a_non_empty_dir_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "mine.yaml").write_text("x: 1\n", encoding="utf-8")
    result = brief("init", "d", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "d: -: 目录不是空的；请换一个新目录名，或先清空它\n"
    assert [p.name for p in tmp_path.rglob("*")] == ["d", "mine.yaml"]  # nothing added, no staging left


def test_init_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "d").write_text("", encoding="utf-8")
    result = brief("init", "d", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, "d: -: 已有同名的文件；请换一个新目录名\n")


def test_init_fills_an_empty_dir_readable_by_others(tmp_path: Path) -> None:
    # A fixed umask for the test and the child it starts: the pytest process's own could have been
    # changed by another test, which made this test flaky in a full run.
    previous = os.umask(0o022)
    try:
        (tmp_path / "d").mkdir()
        assert brief("init", "d", cwd=tmp_path).returncode == 0
    finally:
        os.umask(previous)
    assert (tmp_path / "d" / "indicators.yaml").is_file()
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o755  # not mkdtemp's 0700
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_chinese(command: str | None) -> None:
    result = brief(*([command] if command else []), "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("用法：")
    assert "选项：" in result.stdout and "显示本帮助并退出。" in result.stdout
    assert not ENGLISH.search(result.stdout), ENGLISH.search(result.stdout)
    metavars = r"\b(INTEGER|TEXT|PATH|RANGE|BOOLEAN|FILENAME|COUNTY|PROGRAM|DOCUMENT|DIRECTORY|FILES|PATHS)\b"
    assert not re.search(metavars, result.stdout), result.stdout  # click's English metavars
    # The option texts start in one column, 汉字 counted as two columns each.
    heads = [re.match(r"(  -\S.*?\s{2,})\S", line) for line in result.stdout.splitlines()]
    starts = {display_width(m.group(1)) for m in heads if m}
    assert len(starts) == 1, result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["render"], "错误：缺少参数 '县ID'。"),
    (["render", "x", "--year", "abc"], "错误：'--year' 的值无效：'abc' 不是有效的整数。"),
    (["render", "x", "--yeer", "2023"], "错误：没有 '--yeer' 这个选项。"),
    (["render", "x"], "错误：缺少选项 '--year'。"),
    (["render", "x", "--year"], "错误：选项 '--year' 需要一个值。"),
    (["rendr"], "错误：没有 'rendr' 这个命令。"),
    (["build", "--jobs", "-1"], "错误：'--jobs' 的值无效：-1 超出范围（不小于 0）。"),
    (["validate", "a", "b", "--data"], "错误：选项 '--data' 需要一个值。"),
    (["init"], "错误：缺少参数 '目录'。"),
    (["init", "a", "b"], "错误：多出了参数（b）"),
])
def test_usage_errors_are_chinese(args: list[str], message: str) -> None:
    result = brief(*args)
    assert result.returncode == 2
    assert message in result.stderr, result.stderr
    if "需要一个值" not in message:  # click prints no usage line for an option missing its value
        assert "用法：" in result.stderr
    assert not ENGLISH.search(result.stderr), result.stderr


def test_version_is_chinese() -> None:
    result = brief("--version")
    assert result.returncode == 0 and "版本 0.1.0" in result.stdout and "version" not in result.stdout
