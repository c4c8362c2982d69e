"""A synthetic program data dir: N counties with every catalog indicator filled, all six sections.

Written only into a directory the caller gives (a temp dir); the project's data/ is read (the
catalog is copied), never written. Figures are random but valid: each one is made as a
``Quantity`` and written with ``format_number``, so it parses back to the same value.
"""

from __future__ import annotations

import random
import shutil
from decimal import Decimal
from pathlib import Path

from brief.data.catalog import load_catalog
from brief.domain.quantity import Qualifier, Quantity, format_number

PROGRAM = "synth"
YEAR = 2023

# Plain sentences to pad highlight texts to a realistic length (the seed brief's are 60-150 字).
_PHRASES = (
    "指挥部围绕受援地所需，统筹资金、项目和人才，推动各项工作落地见效",
    "援疆干部人才深入乡村、学校和医院，与当地干部群众一起研究解决实际问题",
    "通过“组团式”帮扶和师徒结对，当地骨干队伍的业务能力明显提升",
    "项目建设坚持规划先行、分步实施，资金使用全程公开、接受监督",
    "两地部门建立常态化对接机制，定期会商、及时调度，确保任务按期完成",
    "各项举措注重长效，既解决眼前困难，又为今后发展打下基础",
    "群众获得感不断增强，基层组织的凝聚力和号召力进一步提高",
)
_TITLES = (
    "抓好关键环节", "推动项目落地", "培养本地骨干", "办好民生实事", "深化交流交往", "打造特色品牌",
    "完善工作机制", "拓展合作渠道", "夯实基层基础", "提升服务能力", "凝聚各方力量", "巩固拓展成果",
)
_QUALIFIERS = (
    [Qualifier.EXACT] * 6 + [Qualifier.AT_LEAST, Qualifier.MORE, Qualifier.NEARLY, Qualifier.ABOUT, Qualifier.OVER]
)


def random_quantity(rng: random.Random, *, percent: bool = False, change: bool = False) -> str:
    """One figure as a data file would write it: 490, 2.12万, 1600余, 近10万, 5.25%, -3.10%."""
    if change:  # a year-over-year change: two decimals, either sign, as in the seed (-6.03%)
        value = Decimal(rng.randint(-9999, 9999)).scaleb(-2)
        if value == 0:
            value = Decimal("1.00")
        return format_number(Quantity(value, Qualifier.EXACT, percent=True))
    if percent:  # a share such as 中医科就诊占比 60%
        return format_number(Quantity(Decimal(rng.randint(1, 9999)).scaleb(-2), Qualifier.EXACT, percent=True))
    digits = rng.randint(1, 4)  # significant digits, then a magnitude: 3, 38, 2120, 21200, 1.2万 … 亿
    mantissa = rng.randint(10 ** (digits - 1), 10**digits - 1)
    value = Decimal(mantissa) * (Decimal(10) ** rng.randint(0, 4))
    return format_number(Quantity(value.normalize().quantize(Decimal(1)), rng.choice(_QUALIFIERS)))


def _yaml_str(text: str) -> str:
    """A double-quoted YAML scalar (every field here is plain text without control characters)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def county_yaml(i: int, catalog, rng: random.Random, year: int = YEAR, prefecture: str = "喀什地区") -> str:
    name = f"样本{i:03d}县"
    lines = [
        f"# 合成数据（bench/synth.py），第 {i} 县",
        f"county: {name}",
        f"prefecture: {prefecture}",
        "partner: 济宁市",
        "command: 济宁援疆指挥部",
        f"year: {year}",
        "batch: 第十一批",
        "status: final",
        "source: 合成数据（基准测试用）",
        f"headline: {name}援疆工作稳步推进",
        "summary: |-",
        "  " + "。".join(rng.sample(_PHRASES, 4)) + "。",
        "",
        "indicators:",
    ]
    for key, ind in catalog.indicators.items():
        value = random_quantity(rng, percent=ind.unit == "%", change=ind.change)
        lines.append(f"  {key}: {_yaml_str(value)}")
    lines += ["", "highlights:"]
    for section in catalog.sections:
        keys = [k for k, ind in catalog.indicators.items() if ind.section == section]
        lines.append(f"  {section}:")
        for _ in range(2):
            key = rng.choice(keys)
            label = catalog.indicators[key].label
            text = (f"{rng.choice(_PHRASES)}，{label}达到{{{{ ind.{key} }}}}。"
                    f"{rng.choice(_PHRASES)}；{rng.choice(_PHRASES)}。")
            lines += [f"    - title: {rng.choice(_TITLES)}", "      text: |-", f"        {text}"]
    return "\n".join(lines) + "\n"


def make_program(root: Path, counties: int, source_data: Path, seed: int = 7,
                 program_counties: int | None = None, previous: bool = False,
                 prefectures: tuple[str, ...] = ("喀什地区",)) -> Path:
    """Fill ``root`` (created) with indicators.yaml, counties/c001.., programs/synth(.yaml); return root.

    The program lists every county, or only the first ``program_counties`` of them. ``previous``
    adds a YEAR - 1 file per county, so each YEAR brief has year-over-year columns and a chart.
    ``prefectures``: the counties are split among them in runs of (nearly) equal length, in order.
    """
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source_data / "indicators.yaml", root / "indicators.yaml")
    catalog = load_catalog(root / "indicators.yaml")
    ids = [f"c{i:03d}" for i in range(1, counties + 1)]
    for i, cid in enumerate(ids, start=1):
        folder = root / "counties" / cid
        folder.mkdir(parents=True, exist_ok=True)
        where = prefectures[(i - 1) * len(prefectures) // counties]
        (folder / f"{YEAR}.yaml").write_text(county_yaml(i, catalog, rng, prefecture=where), encoding="utf-8")
        if previous:
            (folder / f"{YEAR - 1}.yaml").write_text(county_yaml(i, catalog, rng, YEAR - 1, where),
                                                     encoding="utf-8")
    programs = root / "programs"
    (programs / PROGRAM).mkdir(parents=True, exist_ok=True)
    (programs / f"{PROGRAM}.yaml").write_text(
        "name: 合成援疆指挥部\nprovince: 山东省\nprefecture: 喀什地区\n"
        f"counties: [{', '.join(ids[:program_counties])}]\n", encoding="utf-8")
    (programs / PROGRAM / f"{YEAR}.yaml").write_text(
        f"year: {YEAR}\nsource: 合成数据（基准测试用）\n", encoding="utf-8")
    return root
