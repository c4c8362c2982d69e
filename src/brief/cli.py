"""Commands only: parse arguments, call one function, print, exit (0 done, 1 bad data, 2 usage)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import wraps
from pathlib import Path
from typing import Any

import click

from . import cli_zh
from .collector import collector_paused
from .errors import BriefError, nul_path_problem, os_error_problem

cli_zh.install()  # before the decorators below: some of click's texts are looked up as they run

DATA_HELP = "数据目录（默认 ./data）"
OUT_HELP = "输出目录（默认 ./out）"


def _fail(exc: BriefError) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    sys.exit(1)


def say(line: str) -> None:
    """Print a result line; a reader that went away (``brief validate | head -0``) is not an error."""
    try:
        click.echo(line)
    except BrokenPipeError:
        _silence(sys.stdout)


def _silence(stream: Any) -> None:
    """Point a closed pipe's descriptor at /dev/null, so the flush at exit does not fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


def handles_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a BriefError into one line per problem and exit 1: users never see a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BriefError as exc:
            _fail(exc)
        except click.ClickException:
            raise  # usage errors: click prints them and exits 2
        except KeyboardInterrupt:
            click.echo("已中断", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # stderr (progress, problems) went away mid-run: nobody is left to tell; the run did not finish
            _silence(sys.stdout)
            _silence(sys.stderr)
            sys.exit(1)
        except OSError as exc:
            if os.environ.get("BRIEF_DEBUG"):
                raise
            _fail(BriefError(os_error_problem(exc)))  # a full disk, a read-only dir: the path and why
        except ValueError as exc:
            if "embedded null" not in str(exc) or os.environ.get("BRIEF_DEBUG"):
                _internal(exc)
            _fail(BriefError(nul_path_problem()))
        except Exception as exc:
            _internal(exc)

    return wrapper


def _internal(exc: Exception) -> None:
    if os.environ.get("BRIEF_DEBUG"):
        raise exc
    # Not the user's data: still one line, and the way to see more.
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    click.echo(f"brief: 内部错误：{type(exc).__name__}: {first}（设置 BRIEF_DEBUG=1 可查看详情）", err=True)
    sys.exit(1)


def keeps_compiled(fn: Callable[..., Any]) -> Callable[..., Any]:
    """For a command whose libraries compile many regexes and dataclasses at every start (a cold
    ``render`` ~90 ms, ``validate`` ~40): they come from its last run's (codecache.py)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .codecache import kept  # lazily, as every command's own modules

        with kept(fn.__name__):
            return fn(*args, **kwargs)

    return wrapper


def reads_data_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return data_option(fn, writes=False)


def data_option(fn: Callable[..., Any], *, writes: bool = True) -> Callable[..., Any]:
    # A command that writes nothing to --out still accepts it (the same flags can be repeated for every
    # command) but leaves it out of its --help, where 输出目录 made users look for its output.
    fn = click.option("--out", "out", type=click.Path(path_type=Path), default=Path("out"), help=OUT_HELP,
                      hidden=not writes)(fn)
    return click.option("--data", "data", type=click.Path(path_type=Path), default=Path("data"), help=DATA_HELP)(fn)


def formats_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "formats", default="pdf,docx", show_default=True, metavar="格式",
                        help="输出格式：pdf、docx 或 pdf,docx")(fn)


def imports_frozen() -> AbstractContextManager[None]:
    """Import what a one-shot command needs with the garbage collector off, then freeze what the
    imports made (modules, classes, functions: they live as long as the process) so the collector
    never walks those ~300,000 objects again (~60 ms of a cold ``render``). The work after runs
    with it on."""
    return collector_paused(freeze=True)


def import_writers(formats: tuple[str, ...]) -> None:
    """The writers a one-shot command will use, imported with the collector off (render.py imports
    them lazily, where it uses them, for --format pdf to need no python-docx)."""
    if "pdf" in formats:
        from .writers.pdf.writer import warm

        warm()
    if "docx" in formats:
        import brief.writers.docx  # noqa: F401


def warm_fonts() -> None:
    """Convert OpenType fonts once, up front and in parallel, and say so: it takes seconds."""
    from .fonts.warm import warm_fonts as warm

    warm(lambda line: click.echo(line, err=True))


def parse_formats(text: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in items if f not in ("pdf", "docx")]
    if bad or not items:
        raise click.BadParameter(f"不支持的格式 {', '.join(bad) or text!r}；可选 pdf、docx", param_hint="--format")
    return items


@click.group(cls=cli_zh.ZhGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="brief")
def main() -> None:
    """brief：由县级援疆数据生成规范的中文简报（Word 与 PDF）。"""


@main.command()
@click.argument("directory", metavar="目录", type=click.Path(path_type=Path))
@handles_errors
def init(directory: Path) -> None:
    """新建一个数据目录（指标目录、一个项目、一个带注释的县数据文件、分发名单示例），可直接检查和生成。"""
    from .newdata import init_data

    for path in init_data(directory):
        say(f"已写入 {path}")
    # the same --out as the README's steps, so the briefs land where it says (简报/<年份>/)
    say(f"下一步：brief validate --data {directory}，然后 brief build --data {directory} --out 简报")


@main.command()
@click.argument("paths", metavar="[文件]...", nargs=-1, type=click.Path(path_type=Path))
@reads_data_option
@handles_errors
@keeps_compiled
def validate(paths: tuple[Path, ...], data: Path, out: Path) -> None:
    """检查数据文件；每个问题一行：文件:行: 键: 问题。"""
    with imports_frozen():
        from .check import validate as run
        from .data.unlisted import unlisted_notes

        warm_fonts()  # the glyph check reads the converted fonts: a first run would be silent for seconds
    problems, files = run(list(paths), data)
    for root in [p for p in paths if (p / "indicators.yaml").is_file()] if paths else [data]:
        for note in unlisted_notes(root):
            say(note)
    if problems:
        raise BriefError(problems)
    say(f"数据无误（检查了 {files} 个文件）")


@main.command()
@click.argument("county", metavar="县ID")
@click.option("--year", type=int, required=True, help="年份，例如 2023")
@formats_option
@data_option
@click.option("--templates", type=click.Path(path_type=Path), default=None, help="模板目录")
@handles_errors
@keeps_compiled
def render(county: str, year: int, formats: str, data: Path, out: Path, templates: Path | None) -> None:
    """生成一个县某一年的简报（默认 PDF 与 Word 各一份）；写项目 ID 则生成该项目本身的简报。"""
    wanted = parse_formats(formats)
    with imports_frozen():
        from .render import render_county

        warm_fonts()
        import_writers(wanted)  # after warm_fonts: the PDF's fonts must be converted first
    for path in render_county(data, county, year, wanted, out, templates):
        say(str(path))


@main.command()
@click.argument("program", metavar="项目ID")
@click.option("--year", type=int, required=True, help="年份，例如 2023")
@formats_option
@data_option
@click.option("--templates", type=click.Path(path_type=Path), default=None, help="模板目录")
@handles_errors
@keeps_compiled
def summary(program: str, year: int, formats: str, data: Path, out: Path, templates: Path | None) -> None:
    """生成一个援疆指挥部某一年的年度汇总。"""
    wanted = parse_formats(formats)
    with imports_frozen():
        from .render import render_summary

        warm_fonts()
        import_writers(wanted)  # after warm_fonts: the PDF's fonts must be converted first
    for path in render_summary(data, program, year, wanted, out, templates):
        say(str(path))


@main.command()
@click.argument("document", metavar="县或项目ID")
@click.option("--year", type=int, required=True, help="年份，例如 2023")
@click.option("--summary", "is_summary", is_flag=True, help="给该项目的年度汇总编号")
@click.option("--date", "date", default=None, metavar="日期", help="签发日期 YYYY-MM-DD（默认今天）")
@click.option("--supplement", is_flag=True, help="编为增刊（增刊单独编号）")
@click.option("--data", "data", type=click.Path(path_type=Path), default=Path("data"), help=DATA_HELP)
@handles_errors
@keeps_compiled
def issue(document: str, year: int, is_summary: bool, date: str | None, supplement: bool, data: Path) -> None:
    """给一份简报编期号（写入 data/issues.yaml），例如 2023年第12期。"""
    with imports_frozen():
        import datetime as dt

        from .compose.issue import issue_document
        from .issues import parse_date

    day = dt.date.today() if date is None else parse_date(date)
    if day is None:
        raise BriefError.at(str(data), None, "--date", f"日期应写成 2023-12-20，不是“{date}”")
    notes: list[str] = []
    say(issue_document(data, document, year, is_summary, day, supplement, notes).label)
    for note in notes:  # on stderr: stdout is the number alone, for scripts
        click.echo(note, err=True)


@main.command()
@click.option("--year", type=int, default=None, help="只生成这一年（默认：所有年份）")
@click.option("--jobs", type=click.IntRange(min=0), default=0, help="并行进程数（默认 0：CPU 核数，最多 4）")
@data_option
@click.option("--templates", type=click.Path(path_type=Path), default=None, help="模板目录")
@handles_errors
@keeps_compiled
def build(year: int | None, jobs: int, data: Path, out: Path, templates: Path | None) -> None:
    """生成全部简报和年度汇总（只重建有变化的），并写出 out/manifest.json。"""
    from .build import build as run
    from .data.unlisted import unlisted_notes
    from .progress import Reporter

    warm_fonts()
    with Reporter() as reporter:
        outcomes = run(data, out, year, jobs, templates, progress=reporter.update)
    made = [o for o in outcomes if not o.skipped]
    for note in unlisted_notes(data):
        say(note)
    if not made:
        say(f"全部 {len(outcomes)} 份简报都是最新的，未重写任何文件")
    else:
        say(f"已生成 {len(made)} 份简报（{sum(len(o.written) for o in made)} 个文件），"
            f"{len(outcomes) - len(made)} 份无变化；清单：{out / 'manifest.json'}")


@main.command()
@click.option("--year", type=int, required=True, help="年份，例如 2023")
@click.option("--dry-run", is_flag=True, help="只列出谁会收到什么：不生成、不发送、不写分发记录")
@click.option("--resend", is_flag=True, help="重发状态不明（可能已送达）的邮件")
@click.option("--resend-changed", is_flag=True, help="已发出的编号简报内容有变化时，仍以同一期号发出新版本替换原件")
@data_option
@click.option("--templates", type=click.Path(path_type=Path), default=None, help="模板目录")
@handles_errors
@keeps_compiled
def distribute(year: int, dry_run: bool, resend: bool, resend_changed: bool, data: Path, out: Path,
               templates: Path | None) -> None:
    """按 recipients.yaml 分发当年的 PDF（每份加盖份号和收件单位）。

    设置了 BRIEF_SMTP_HOST 时经 SMTP 发送，否则把邮件写成 out/outbox/ 下的 .eml 文件。"""
    with imports_frozen():
        from .distribute import SmtpSettings, format_report
        from .distribute import distribute as run
        from .progress import Reporter

    smtp = SmtpSettings.from_env()
    warm_fonts()  # a dry run renders the out-of-date PDFs in memory, to tell what would change
    if dry_run:
        report = run(data, out, year, dry_run=True, resend=resend, resend_changed=resend_changed, smtp=smtp,
                     templates=templates)
    else:
        with Reporter() as reporter:
            report = run(data, out, year, resend=resend, resend_changed=resend_changed, smtp=smtp,
                         templates=templates, progress=reporter.update)
    for line in format_report(report):
        say(line)
    if report.problems:
        raise BriefError(report.problems)


@main.command()
@click.argument("county", metavar="县ID")
@click.option("--year", type=int, required=True, help="年份，例如 2023")
@data_option
@handles_errors
@keeps_compiled
def form(county: str, year: int, data: Path, out: Path) -> None:
    """生成一个县某一年的 Excel 填报表（填好后用 brief import 导入）。"""
    with imports_frozen():
        from .forms import make_form

    say(str(make_form(data, county, year, out)))


@main.command(name="import")
@click.argument("files", metavar="表格文件...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--marked", type=click.Path(path_type=Path), default=None,
              help="有错时，把每份出错的表单另存到此目录（<名称>.marked.xlsx）：出错的单元格标红，批注写明原因")
@reads_data_option
@handles_errors
@keeps_compiled
def import_(files: tuple[Path, ...], data: Path, out: Path, marked: Path | None) -> None:
    """把填好的填报表导入 counties/<县>/<年>.yaml：与 validate 同样检查，有任何问题则什么也不写。"""
    with imports_frozen():
        from .forms.review import change_line, import_with_changes, kept_line

    try:
        written = import_with_changes(list(files), data)
    except BriefError:
        if marked is not None:
            from .forms.review import mark_failed

            for path in mark_failed(list(files), data, marked):
                say(f"已标出错误：{path}")
        raise
    for each in written:
        if each.written:
            say(f"已更新 {each.target}：{len(each.changes)} 处变化")
            for c in each.changes:
                say(f"  {change_line(c)}")
        else:
            say(f"{each.target} 没有变化")
        if each.kept:
            say(f"  {kept_line(each.kept)}")
    if not written:
        say("数据没有变化")


@main.command()
@data_option
@click.option("--host", default="127.0.0.1", show_default=True, metavar="地址",
              help="监听地址；不是本机地址（如 0.0.0.0）时必须设置 --password")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="端口")
@click.option("--password", default=None, envvar="BRIEF_SERVE_PASSWORD", metavar="口令",
              help="访问密码（在局域网内使用时必须设置；也可用环境变量 BRIEF_SERVE_PASSWORD，别人用 ps 看不到）")
@handles_errors
def serve(data: Path, out: Path, host: str, port: int, password: str | None) -> None:
    """在浏览器中使用：概览、填报表上传与下载、简报预览与生成、分发（默认只有本机能访问）。"""
    from .web import serve as run

    run(data, out, host, port, password, announce=say)


@main.command()
@reads_data_option
@handles_errors
def fonts(data: Path, out: Path) -> None:
    """列出每个排版角色（标题、正文等）所用的字体。"""
    from .fonts import pdf_fonts, report_lines

    warm_fonts()
    pdf_fonts().load_roles()  # so that the first brief finds every font's parse cached
    for line in report_lines():
        say(line)


if __name__ == "__main__":  # pragma: no cover
    main()
