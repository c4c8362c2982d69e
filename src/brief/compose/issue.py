"""What an issue entry adds to a composed brief: the 期号 and 签发 date in the 版头, the 密级 top
left, and the 版记 on the last page. A brief without an entry (and no classification) comes back
unchanged, so its outputs stay byte-identical."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from pathlib import Path

from .. import model
from ..data.dataset import NO_DATA_DIR, Dataset, load_dataset
from ..data.records import Program, Recipient
from ..documents import COUNTY, PROGRAM, SUMMARY, Target
from ..errors import BriefError
from ..issues import FILE, Entry, append_entry, cn_date, find, locked, next_entry, refuse_reissue, total_number
from .names import Office, county_office, program_office

ROLE_ORDER = ("报", "送", "发")


def document_id(t: Target) -> str:
    """How issues.yaml names a brief: a county id, a program id, or summary:<program>."""
    return f"summary:{t.id}" if t.kind is SUMMARY else t.id


def office_of(ds: Dataset, t: Target) -> Office:
    return county_office(ds, t.id, t.year) if t.kind is COUNTY else program_office(ds, t.id)


def program_of(ds: Dataset, t: Target) -> Program | None:
    return ds.program_of(t.id) if t.kind is COUNTY else ds.programs.get(t.id)


_RANK = {"": 0, "内部": 1, "秘密": 2, "机密": 3}


def classification(ds: Dataset, t: Target) -> str:
    return classified_by(ds, t)[0]


def classified_by(ds: Dataset, t: Target) -> tuple[str, Path | None]:
    """The brief's 密级 and the year file it comes from. A summary prints its counties' figures and
    highlights: it carries the highest 密级 of its own and theirs (密级就高), so a 秘密 county's
    content is never emailed inside an unclassified summary."""
    if t.kind is COUNTY:
        record = ds.county(t.id, t.year)
        return record.classification, record.path
    own = ds.program_years.get((t.id, t.year))
    found = [(own.classification, own.path)] if own else [("", None)]
    program = ds.programs.get(t.id)
    if t.kind is SUMMARY and program is not None:
        found += [(ds.counties[(cid, t.year)].classification, ds.counties[(cid, t.year)].path)
                  for cid in program.counties if (cid, t.year) in ds.counties]
    return max(found, key=lambda level: _RANK.get(level[0], 0))


def entry_of(ds: Dataset, t: Target) -> Entry | None:
    return find(ds.issues, document_id(t), t.year)


def asks_for(entry: str, t: Target) -> bool:
    """Whether a ``briefs:`` or ``extra:`` entry of recipients.yaml names ``t``: a county id its brief;
    ``summary`` every program's summary and program brief; a program id that program's summary and
    its own brief (they go to the same offices); ``summary:<program>`` that summary alone."""
    if t.kind is COUNTY:
        return entry == t.id
    if entry.startswith("summary:"):
        return t.kind is SUMMARY and entry == document_id(t)
    return entry in ("summary", t.id)


def receives(r: Recipient, t: Target) -> bool:
    """The recipients distribute sends ``t`` to, listed on its role line of the 版记."""
    return any(asks_for(b, t) for b in r.briefs)


def is_extra(r: Recipient, t: Target) -> bool:
    """Listed after 本期增发 (and sent it too)."""
    return any(asks_for(b, t) for b in r.extra)


def recipients_in_order(ds: Dataset, t: Target) -> list[Recipient]:
    """The recipients of ``t`` as the 版记 lists them: 报, 送, 发, then 本期增发, each in file order."""
    mine = [r for r in ds.recipients or [] if receives(r, t) or is_extra(r, t)]
    regular = [r for role in ROLE_ORDER for r in mine if r.role == role and not is_extra(r, t)]
    return regular + [r for r in mine if is_extra(r, t)]


def number_text(ds: Dataset, t: Target, e: Entry) -> str:
    """2023年第12期（总第87期）, or 2023年增刊第1期."""
    program = program_of(ds, t)
    total = total_number(ds.issues, e, program.total_from if program else None)
    return e.label + (f"（总第{total}期）" if total else "")


def record(ds: Dataset, t: Target, e: Entry) -> model.Record:
    mine = recipients_in_order(ds, t)
    lines = []
    for role in ROLE_ORDER:
        names = [r.name for r in mine if r.role == role and not is_extra(r, t)]
        if names:
            lines.append(f"{role}：{'，'.join(names)}。")
    extra = [r.name for r in mine if is_extra(r, t)]
    if extra:
        lines.append(f"本期增发：{'，'.join(extra)}。")
    program = program_of(ds, t)
    copies = len(mine) + (program.archive_copies if program else 0)
    return model.Record(tuple(lines), office_of(ds, t).issuer, f"{cn_date(e.printed)}印发", f"（共印{copies}份）")


def apply_issue(ds: Dataset, t: Target, doc: model.Document) -> model.Document:
    e = entry_of(ds, t)
    secret = classification(ds, t)
    if e is None and not secret:
        return doc
    blocks: list[model.Block] = []
    for b in doc.blocks:
        if isinstance(b, model.Masthead):
            b = dataclasses.replace(b, classification=secret)
            if e is not None:
                b = dataclasses.replace(b, number=number_text(ds, t, e), date=cn_date(e.date))
        blocks.append(b)
    if e is not None:
        blocks.append(record(ds, t, e))
    return dataclasses.replace(doc, blocks=tuple(blocks))


def issue_fingerprint(ds: Dataset, t: Target) -> str:
    """What of issues.yaml and recipients.yaml this brief prints: empty when it prints none of it,
    so an unissued brief's fingerprint stays as it was."""
    e = entry_of(ds, t)
    if e is None:
        return ""
    return repr((number_text(ds, t, e), record(ds, t, e), cn_date(e.date)))


def _no_document(ds: Dataset, ident: str, year: int) -> str:
    """Why there is no brief to number: a wrong year, or a misspelt id (with the nearest one)."""
    years = sorted({y for (i, y) in (*ds.counties, *ds.program_years) if i == ident})
    if years:
        shown = "、".join(str(y) for y in years)
        return f"“{ident}”没有 {year} 年的数据（有 {shown} 年的）；请检查 --year"
    ids = sorted({i for (i, _) in ds.counties} | set(ds.programs))
    guess = difflib.get_close_matches(ident, ids, n=1, cutoff=0.6)
    hint = f"；是否应为 {guess[0]}？" if guess else "；应为县 ID（counties/ 下的文件夹名）或项目 ID"
    return f"没有“{ident}”{year} 年的数据{hint}"


def issue_document(data: Path, ident: str, year: int, summary: bool, date: dt.date,
                   supplement: bool, notes: list[str] | None = None) -> Entry:
    """Give one brief the next number of its publication and append it to issues.yaml.

    The data is read under the lock, so the numbers another ``brief issue`` just wrote are seen.
    ``notes`` gets a 提示 line when the brief is still a draft (a number cannot be taken back)."""
    if not data.is_dir():
        raise BriefError.at(str(data), None, "--data", NO_DATA_DIR)
    with locked(data):
        ds = load_dataset(data, totals=False)
        if summary:
            if ident not in ds.programs:
                raise BriefError.at(str(data / "programs"), None, ident, f"没有项目“{ident}”：--summary 后应写项目 id")
            t = Target(SUMMARY, ident, year)
        elif (ident, year) in ds.counties:
            t = Target(COUNTY, ident, year)
        elif (ident, year) in ds.program_years:
            t = Target(PROGRAM, ident, year)
        else:
            raise BriefError.at(str(data), None, ident, _no_document(ds, ident, year))
        path = data / FILE
        old = entry_of(ds, t)
        if old is not None:
            raise refuse_reissue(path, old)
        entry = next_entry(ds.issues, office_of(ds, t).publication, year, "增刊" if supplement else "正刊",
                           document_id(t), date)
        append_entry(path, entry)
        record = ds.counties.get((ident, year)) if t.kind == COUNTY else None
        if notes is not None and record is not None and record.draft:
            notes.append(f"提示：{record.county} {year} 年的数据仍是征求意见稿（status: draft），简报带水印；"
                         f"期号已编定、不能撤回，定稿后把 status 改为 final 再生成")
        return entry
