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
