"""``brief --help`` in a terminal: 汉字 take two columns, so click's wrapping by character count
ran help lines to twice the terminal's width, and shortened a command's 汉字 sentence to "..." alone."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from brief.cli import main
from brief.cli_zh import display_width, short_help

COMMANDS = ["build", "distribute", "fonts", "form", "import", "init", "issue", "render", "serve", "summary",
            "validate"]


def help_text(command: str | None, width: int) -> str:
    result = CliRunner().invoke(main, [*([command] if command else []), "--help"], terminal_width=width)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_fits_an_80_column_terminal(command: str | None) -> None:
    text = help_text(command, 80)
    assert max(map(display_width, text.splitlines())) <= 80, text
    # nothing lost in the wrapping: each option's text is all there once the lines are joined
    joined = "".join(line.strip() for line in text.splitlines())
    if command == "serve":
        assert "也可用环境变量BRIEF_SERVE_PASSWORD，别人用 ps 看不到）" in joined


def test_narrow_terminal_lists_every_command_with_words() -> None:
    text = help_text(None, 40)
    assert max(map(display_width, text.splitlines())) <= 50  # click never goes below 50 columns
    lines = text.split("命令：\n", 1)[1].splitlines()
    firsts = {line.split()[0]: line.split(None, 1)[1] for line in lines if line.startswith("  ") and
              not line.startswith("   ")}
    assert sorted(firsts) == COMMANDS
    for name, first in firsts.items():
        assert first not in ("...", "…") and len(first) >= 4, (name, text)


def test_short_help_cuts_between_characters_and_keeps_paths_whole() -> None:
    said = "把填好的填报表导入 counties/<县>/<年>.yaml：与 validate 同样检查，有任何问题则什么也不写。"
    assert short_help(said, 200) == said
    cut = short_help(said, 33)
    assert cut == "把填好的填报表导入 counties/<县>/<年>.yaml…", cut
    assert short_help("新建一个数据目录（指标目录、一个项目）", 10) == "新建一个数据目录…"
    assert short_help("Build all the briefs. More here.", 45) == "Build all the briefs."  # click's own


def test_unknown_option_suggestion_has_no_english_space() -> None:
    result = CliRunner().invoke(main, ["render", "x", "--yea", "2023"])
    assert result.exit_code == 2
    assert "错误：没有 '--yea' 这个选项。是不是 '--year'？" in result.output, result.output


def test_help_has_no_english_range_or_semicolon_and_names_each_value() -> None:
    serve = help_text("serve", 80)
    assert "--port 整数" in serve and "[默认：8000，1—65535]" in serve, serve
    assert "--host 地址" in serve and "--password 口令" in serve, serve
    assert "<=x<=" not in serve and "; " not in serve, serve
    build = help_text("build", 80)
    assert "[不小于 0]" in build and "x>=" not in build, build
    assert "--date 日期" in help_text("issue", 80)
    assert "--format 格式" in help_text("render", 80)


def test_range_error_is_chinese() -> None:
    result = CliRunner().invoke(main, ["serve", "--port", "0"])
    assert result.exit_code == 2
    assert "错误：'--port' 的值无效：0 超出范围（1—65535）。" in result.output, result.output


def test_init_suggests_the_readme_build_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["init", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert f"然后 brief build --data {tmp_path / 'd'} --out 简报" in result.output, result.output


@pytest.mark.parametrize("command", ["validate", "import", "fonts"])
def test_commands_that_write_nothing_do_not_offer_an_output_dir(command: str) -> None:
    text = help_text(command, 80)
    assert "--data 路径" in text and "--out" not in text and "输出目录" not in text, text


def test_validate_still_accepts_out(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "d"
    assert CliRunner().invoke(main, ["init", str(data)]).exit_code == 0
    result = CliRunner().invoke(main, ["validate", "--data", str(data), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0 and "数据无误" in result.output, result.output
    assert not (tmp_path / "o").exists()


def test_usage_names_the_command_the_readme_gives() -> None:
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src"
    result = subprocess.run([sys.executable, "-m", "brief", "render"], capture_output=True, text=True,
                            env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    assert "用法：python3 -m brief render [选项] 县ID" in result.stderr, result.stderr
    assert "运行 'python3 -m brief render --help' 查看帮助。" in result.stderr, result.stderr
