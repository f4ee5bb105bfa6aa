"""The code lists of the 建档立卡 forms, with their official codes where one exists
(GB/T 2261 sex, GB 3304 ethnicity, the 2014 扶贫手册 lists). Lists without an official
numbering are numbered in the order the manual prints them."""

from __future__ import annotations

from forms.fields import CodeList, code_list

SEX = code_list("sex", "性别", [("1", "男"), ("2", "女")])

RELATION = code_list(
    "relation",
    "与户主关系",
    [
        ("01", "户主"), ("02", "配偶"), ("03", "之子"), ("04", "之女"), ("05", "之儿媳"),
        ("06", "之女婿"), ("07", "之孙子"), ("08", "之孙女"), ("09", "之外孙子"),
        ("10", "之外孙女"), ("11", "之父"), ("12", "之母"), ("13", "之岳父"), ("14", "之岳母"),
        ("15", "之公公"), ("16", "之婆婆"), ("17", "之祖父"), ("18", "之祖母"),
        ("19", "之外祖父"), ("20", "之外祖母"), ("99", "其他"),
    ],
)
HEAD_OF_HOUSEHOLD = "01"

_ETHNIC_NAMES = (  # GB 3304 order: the index + 1 is the code
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族",
    "朝鲜族", "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族",
    "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族",
    "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族",
    "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族",
    "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族",
    "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)
ETHNICITY = code_list(
    "ethnicity",
    "民族",
    [(f"{i:02d}", n) for i, n in enumerate(_ETHNIC_NAMES, start=1)]
    + [("97", "其他"), ("98", "外国血统中国籍人士")],
)

EDUCATION = code_list(
    "education", "文化程度",
    ["文盲或半文盲", "小学", "初中", "高中", "大专及以上", "学龄前儿童"],
)

SCHOOL_STATUS = code_list(
    "school_status",
    "在校生状况",
    [
        "非在校生", "学前教育", "小学", "七年级", "八年级", "九年级",
        "高中一年级", "高中二年级", "高中三年级", "中职一年级", "中职二年级", "中职三年级",
        "高职一年级", "高职二年级", "高职三年级", "大专及以上",
    ],
)

HEALTH = code_list("health", "健康状况", ["健康", "长期慢性病", "患有大病", "残疾"])

LABOR_SKILL = code_list(
    "labor_skill",
    "劳动技能",
    ["普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力"],
)

WORK_STATUS = code_list(
    "work_status",
    "务工状况",
    ["乡(镇)内务工", "乡(镇)外县内务工", "县外省内务工", "省外务工", "其他"],
)

IDENTIFICATION_STANDARD = code_list(
    "identification_standard", "识别标准", ["国家标准", "省定标准", "市定标准"]
)

HOUSEHOLD_ATTRIBUTE = code_list(
    "household_attribute",
    "贫困户属性",
    ["一般贫困户", "低保贫困户", "五保贫困户"],  # 五保 later named 特困供养贫困户
)

POVERTY_CAUSE = code_list(
    "poverty_cause",
    "致贫原因",
    [
        ("01", "因病"), ("02", "因残"), ("03", "因学"), ("04", "因灾"), ("05", "缺土地"),
        ("06", "缺水"), ("07", "缺技术"), ("08", "缺劳力"), ("09", "缺资金"),
        ("10", "交通条件落后"), ("11", "自身发展动力不足"), ("12", "因婚"), ("13", "因丧"),
        ("99", "其他"),
    ],
)

DANGEROUS_HOUSING = code_list(
    "dangerous_housing", "是否危房", [("0", "否"), ("C", "C级"), ("D", "D级")]
)

ROAD_TYPE = code_list(
    "road_type", "入户路类型", ["泥土路", "砂石路", "水泥路", "沥青路", "其他"]
)

FUEL = code_list("fuel", "主要燃料类型", ["柴草", "煤炭", "电", "燃气", "沼气", "其他"])

AID_MEASURE = code_list(
    "aid_measure",
    "帮扶措施",
    [
        "雨露计划", "扶贫小额信贷", "易地扶贫搬迁", "产业发展", "基础设施",
        "公共服务和社会事业", "转移就业", "生态补偿", "发展教育", "社会保障兜底", "健康扶贫",
        # Appended with schema 4 (codes of a released schema keep their meaning).
        "危房改造", "技能培训",
    ],
)

# 帮扶责任人's 单位性质 (schema 4; 单位隶属关系 above says which level the unit belongs to).
UNIT_KIND = code_list(
    "unit_kind", "单位性质",
    ["党政机关", "事业单位", "国有企业", "民营企业", "社会组织", "其他"],
)

# 驻村工作队: who a member is in the team.
TEAM_ROLE = code_list("team_role", "队内职务", ["第一书记", "队长", "队员"])

# Where a plan's money comes from; each has its own column (aid_plan.funds_<key>).
FUND_SOURCE = code_list(
    "fund_source", "资金来源",
    [("fiscal", "财政专项"), ("sector", "行业部门"), ("social", "社会帮扶"), ("credit", "信贷")],
)

PLAN_STATUS = code_list("plan_status", "实施状态", ["计划", "实施中", "已完成", "未完成"])

# The yearly review's proposal for a household (年度动态调整).
REVIEW_PROPOSAL = code_list(
    "review_proposal", "调整意见", [("exit", "脱贫"), ("continue", "继续帮扶"), ("relapse", "返贫")]
)

AFFILIATION = code_list(
    "affiliation",
    "单位隶属关系",
    [
        ("01", "中央"), ("02", "省"), ("03", "市"), ("04", "县"), ("05", "乡镇"),
        ("06", "部队"), ("99", "其他"),
    ],
)

POVERTY_STATUS = code_list("poverty_status", "脱贫状态", ["未脱贫", "脱贫", "返贫"])
NOT_OUT_OF_POVERTY, OUT_OF_POVERTY, BACK_IN_POVERTY = "1", "2", "3"

# The identification procedure (两公示一公告): where a household stands, derived from its
# recorded steps (registry/procedure/steps.py), never typed. 25, 35 and 65 came with schema
# 3 (a step of their own each); the codes of schema 1 keep their meaning.
STAGE = code_list(
    "stage",
    "识别阶段",
    [
        ("10", "农户申请"), ("20", "民主评议"), ("25", "入户核实"), ("30", "第一次公示"),
        ("35", "第一次公示期满"), ("40", "乡镇审核"), ("50", "第二次公示"), ("60", "县复审"),
        ("65", "县审定"), ("70", "公告"), ("80", "已建档立卡"), ("90", "未通过"),
        # 脱贫退出 (schema 4): proposal to 销号, in the same history.
        ("82", "拟退出"), ("83", "退出民主评议"), ("84", "贫困户认可"), ("85", "退出公示"),
        ("86", "退出公示期满"), ("87", "乡镇审核退出"), ("88", "县审定退出"), ("89", "退出公告"),
        ("95", "已脱贫销号"),
    ],
)

MEMBER_CHANGE_REASON = code_list(
    "member_change_reason",
    "成员变更原因",
    ["死亡", "嫁出", "出国定居", "判刑收监", "嫁入", "新生儿", "其他转入", "其他转出"],
)
# A member who left keeps the row with `change_reason`; one who joined has `joined_reason`
# (schema 4 moved the joining codes out of change_reason, where they hid current members).
MEMBER_LEAVES = frozenset({"1", "2", "3", "4", "8"})
MEMBER_JOINS = frozenset({"5", "6", "7"})
MEMBER_LEAVE_REASON = code_list(
    "member_leave_reason", "减员原因",
    [(c.code, c.label) for c in MEMBER_CHANGE_REASON.choices if c.code in MEMBER_LEAVES],
)
MEMBER_JOIN_REASON = code_list(
    "member_join_reason", "增员原因",
    [(c.code, c.label) for c in MEMBER_CHANGE_REASON.choices if c.code in MEMBER_JOINS],
)

ALL: tuple[CodeList, ...] = (
    SEX, RELATION, ETHNICITY, EDUCATION, SCHOOL_STATUS, HEALTH, LABOR_SKILL, WORK_STATUS,
    IDENTIFICATION_STANDARD, HOUSEHOLD_ATTRIBUTE, POVERTY_CAUSE, DANGEROUS_HOUSING, ROAD_TYPE,
    FUEL, AID_MEASURE, AFFILIATION, POVERTY_STATUS, STAGE, MEMBER_CHANGE_REASON,
    UNIT_KIND, TEAM_ROLE, FUND_SOURCE, PLAN_STATUS, REVIEW_PROPOSAL, MEMBER_LEAVE_REASON,
    MEMBER_JOIN_REASON,
)
