"""What the overview shows: each county of a program and year with its state, decided by the same
code the commands use (validate's reader, build's staleness test, the distribution ledger, issues)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..build import file_hash, stale, targets
from ..compose.county import default_templates
from ..data.dataset import Dataset, read_dataset
from ..data.ids import valid_id
from ..distribute.ledger import LEDGER, Ledger
from ..documents import COUNTY, KINDS, Target, output_path
from ..errors import Problem
from ..issues import find

_YEAR_FILE = re.compile(r"^([0-9]{4})\.ya?ml$")

# The states, in the order a county moves through them.
MISSING, BAD, FILED, BUILT, SENT = "未报", "有错", "已报", "已生成", "已分发"


@dataclass(frozen=True)
class CountyRow:
    id: str
    name: str
    state: str
    error: str = ""  # the first problem of the county's file, when 有错
    issue: str = ""  # 2023年第12期, when issued
    note: str = ""


@dataclass(frozen=True)
class Document:
    """A brief the data makes: what the briefs page lists."""

    kind: str
    id: str
    year: int
    title: str
    pdf: bool  # on disk in --out
    docx: bool
    fresh: bool  # outputs current (build's own test)
    issue: str = ""


def file_years(data: Path) -> list[int]:
    """Years named by county files (bad ones too: a county whose file has errors still counts)."""
    years: set[int] = set()
    for path in (data / "counties").glob("*/*.y*ml"):
        m = _YEAR_FILE.match(path.name)
        if m and valid_id(path.parent.name):
            years.add(int(m.group(1)))
    for path in (data / "programs").glob("*/*.y*ml"):
        m = _YEAR_FILE.match(path.name)
        if m:
            years.add(int(m.group(1)))
    return sorted(years)


def problem_line(p: Problem, data: Path) -> str:
    """``counties/shule/2023.yaml:12: key: message``: the data dir is the user's frame, not the server's."""
    try:
        where = Path(p.file).resolve().relative_to(data.resolve()).as_posix()
    except (ValueError, OSError):
        where = Path(p.file).name
    if p.line not in (None, ""):
        where += f":{p.line}"
    return f"{where}: {p.key or '-'}: {p.message}"


def county_rows(ds: Dataset, program_id: str, year: int, out: Path) -> list[CountyRow]:
    program = ds.programs[program_id]
    files = {cid: ds.root / "counties" / cid / f"{year}.yaml" for cid in program.counties}
    present = [cid for cid in program.counties if (cid, year) in ds.counties]
    fresh = _fresh(ds, [Target(COUNTY, cid, year) for cid in present], out)
    sent, doubtful = _sent_files(out)
    rows = []
    for cid in program.counties:
        name = ds.county_name(cid)
        path = files[cid]
        if not path.exists() and not path.with_suffix(".yml").exists():
            rows.append(CountyRow(cid, name, MISSING))
            continue
        mine = [p for p in ds.problems if _same(p.file, path) or _same(p.file, path.with_suffix(".yml"))]
        if mine or (cid, year) not in ds.counties:
            first = problem_line(mine[0], ds.root) if mine else "数据文件无法读取"
            rows.append(CountyRow(cid, name, BAD, error=first))
            continue
        t = Target(COUNTY, cid, year)
        entry = find(ds.issues, cid, year)
        label = entry.label if entry else ""
        if not fresh.get(t):
            rows.append(CountyRow(cid, name, FILED, issue=label))
            continue
        pdf = output_path(ds, t, "pdf", out)
        versions, sha = sent.get(pdf.name, set()), file_hash(pdf)
        note = "有收件单位发送状态不明：见“分发”页的发送记录" if sha in doubtful.get(pdf.name, set()) else ""
        if sha in versions:
            rows.append(CountyRow(cid, name, SENT, issue=label, note=note))
        else:
            note = note or ("旧版已分发，新版未分发" if versions else "")
            rows.append(CountyRow(cid, name, BUILT, issue=label, note=note))
    return rows


def documents(ds: Dataset, year: int, out: Path, program_id: str | None = None) -> list[Document]:
    """Every brief of ``year`` (county, program, summary), with whether it is built and current."""
    wanted = [t for t in targets(ds, year) if program_id is None or _belongs(ds, t, program_id)]
    fresh = _fresh(ds, wanted, out)
    docs = []
    for t in wanted:
        pdf, docx = (output_path(ds, t, f, out) for f in ("pdf", "docx"))
        doc_id = f"summary:{t.id}" if t.kind.name == "summary" else t.id
        entry = find(ds.issues, doc_id, year)
        docs.append(Document(t.kind.name, t.id, year, pdf.stem, _regular(pdf), _regular(docx), bool(fresh.get(t)),
                             entry.label if entry else ""))
    return docs


def target(ds: Dataset, kind: str, ident: str, year: int) -> Target | None:
    """The brief a URL names, if the data makes it this year; None otherwise."""
    if kind not in KINDS or not valid_id(ident):
        return None
    t = Target(KINDS[kind], ident, year)
    return t if t in set(targets(ds, year)) else None


def load(data: Path) -> Dataset:
    return read_dataset(data)


def _belongs(ds: Dataset, t: Target, program_id: str) -> bool:
    if t.kind is COUNTY:
        return t.id in ds.programs[program_id].counties
    return t.id == program_id


def _fresh(ds: Dataset, wanted: list[Target], out: Path) -> dict[Target, bool]:
    if not wanted:
        return {}
    try:
        remake = stale(wanted, ds, out, default_templates())  # the build's own test
        return {t: t not in remake for t in wanted}
    except Exception:  # noqa: BLE001 - a brief that cannot even be fingerprinted is simply not current
        return {}


def _sent_files(out: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """File name -> the sha256 of every version some recipient has been sent; and of those whose
    delivery to someone is in doubt (unknown, or a run killed while sending)."""
    sent: dict[str, set[str]] = {}
    doubtful: dict[str, set[str]] = {}
    with Ledger(out / LEDGER, readonly=True) as ledger:
        for row in ledger.rows():
            if row.state == "sent":
                sent.setdefault(row.file, set()).add(row.sha256)
            elif row.state in ("unknown", "sending"):
                doubtful.setdefault(row.file, set()).add(row.sha256)
    return sent, doubtful


def _regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _same(a: str | Path, b: Path) -> bool:
    try:
        return Path(a).resolve() == b.resolve()
    except OSError:
        return False
