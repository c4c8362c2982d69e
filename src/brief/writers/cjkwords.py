"""Where a short Chinese label may break without cutting a word (``累计培养培⏎训干部人才`` reads as
nonsense; ``累计培养⏎培训干部人才`` does not).

Chinese has no spaces, and a dictionary library is more than a few words of label need: the words
below are the ones the indicator catalog and the briefs' labels are made of. A label is cut into
them by forward maximum matching (longest word first, deterministic); a break inside a word found
this way is a bad break, one between words a good break, one among characters no word covers
neither (nothing is known there, so balance decides, as before)."""

from __future__ import annotations

from enum import IntEnum

# Words of two to four 汉字 from labels of 援疆 and county briefs (data/indicators.yaml, programs).
# A missing word costs nothing but a possibly worse break; a wrong one could forbid a good break,
# so only words that are words in every label they occur in.
WORDS = frozenset("""
累计 培养 培训 干部 人才 人员 专业 技术 选派 援疆 援助 支援 对口 帮扶 结对 组团 师徒 骨干
教师 教育 学校 学生 中小学 幼儿园 教研 教研组 教研员 备课组 组长 学科 中心 社团 夏令营 讲解员
医疗 医生 医院 医务 卫生院 义诊 巡诊 就诊 接诊 手术 病人 中医 复明 费用 同比 占比
产业 项目 投资 资金 投入 总额 销售 销售额 目标 企业 园区 入驻 吸纳 就业 招商 引资 推介会 洽谈
对接 建成 投产 开工 建设 新建 改建 共建 实施 安居 富民 人居 环境 改善 提升 整治 覆盖 乡镇
行政村 农户 群众 惠及 带动 脱贫 人口 增收 户均 困难户 庭院 经济 查缺 补漏 特色 农副 产品
农技 推广 种植 面积 林果 林下 辣椒 小麦 瓜菜 绿色 防控 海水稻 实测 亩产 养殖 拱棚 产值 产量
对虾 投放 虾苗 南美 白对虾 罗氏 沼虾 杏林 定频 广播 设备 安装 国学 书院 政德 机关 乡村 社区
下乡 宣讲 活动 专题 讲座 场次 人次 批次 期数 团队 接待 参观 阵地 传统 文化 场馆 校园 校企 合作
基础 设施 奖学金 资助 奖励 师生 贫困 大学生 临时 党支部 党小组 支部 工程 每村 百村 万户 百校
牵手 好少年 同上 一堂课 参加 受援地 受援 结亲 兼任 山东 大仓 喀什 乌鲁木齐 济南 青岛 重点
现场 各类 当年 年度 全年 新疆 社会 捐赠 总数 实现 完成 改造 住房 发展 支持 开展 业务 辅导 万师
支教 援教 光明行 院区 建筑 研学 签约 落地 线上 直播 课程 受益 组织 走访 慰问 党员 模范 当地 带徒
网上 送教 职业 解决 民生 实事 设立 课堂 进入 市场 远程 会诊 卫生 门急诊 集体 备课 听课 婚礼 金婚
银婚 庆典 预计 改良 盐碱地 家庭 联谊 次均 小小 备课组长 新开
""".split())
_LONGEST = max(len(w) for w in WORDS)


class Break(IntEnum):
    """How good a break before a character is, best first."""

    BETWEEN = 0  # between two words
    UNKNOWN = 1  # among characters no word covers
    INSIDE = 2  # inside a word


def breaks(text: str) -> list[Break]:
    """For each index i in 1..len(text)-1, how good a break before text[i] is (list index i-1)."""
    kind = [Break.UNKNOWN] * (len(text) + 1)
    i = 0
    while i < len(text):
        n = next((n for n in range(min(_LONGEST, len(text) - i), 1, -1) if text[i:i + n] in WORDS), 0)
        if n:
            kind[i] = kind[i + n] = Break.BETWEEN
            for j in range(i + 1, i + n):
                kind[j] = Break.INSIDE
            i += n
        else:
            i += 1
    return kind[1:len(text)]
