"""The demo county: 示范省 › 示范市 › 示范县, its townships, villages and grids, organs and staff.

Every unit's `parent` is the organ one level above it, so a county department's 复查 goes to the
county government and the county government's 复核 to the city government (条例 §35, §36).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

from huiyin.org.choices import Role, TerritoryLevel, UnitKind
from huiyin.org.models import Territory, Unit, User

PROVINCE = ("43", "示范省")
CITY = ("4301", "示范市")
COUNTY = ("430121", "示范县")

# (name, pinyin, statistical code suffix); street codes 0xx, towns 1xx, xiang 2xx (GB/T 10114 layout).
TOWNSHIPS = [
    ("城关街道", "chengguan", "001"),
    ("东城街道", "dongcheng", "002"),
    ("西湖街道", "xihu", "003"),
    ("青山镇", "qingshan", "101"),
    ("白沙镇", "baisha", "102"),
    ("龙潭镇", "longtan", "103"),
    ("黄花镇", "huanghua", "104"),
    ("柳河镇", "liuhe", "105"),
    ("梨树乡", "lishu", "201"),
    ("石门乡", "shimen", "202"),
]
COMMUNITY_NAMES = ["新华社区", "人民路社区", "文昌社区", "建设社区", "滨河社区", "花园社区"]
VILLAGE_NAMES = ["柳林村", "杨家村", "石桥村", "新塘村", "双江村", "枫树村", "长冲村", "桃源村", "金盆村"]

# (kind, short code, name, parent key): the county's departments; "gov" = county government.
DEPARTMENTS = [
    (UnitKind.CIVIL_AFFAIRS, "mz", "示范县民政局", "gov"),
    (UnitKind.HUMAN_RESOURCES, "rs", "示范县人力资源和社会保障局", "gov"),
    (UnitKind.NATURAL_RESOURCES, "zr", "示范县自然资源局", "gov"),
    (UnitKind.HOUSING, "zj", "示范县住房和城乡建设局", "gov"),
    (UnitKind.ECOLOGY, "hb", "示范市生态环境局示范县分局", "gov"),
    (UnitKind.EDUCATION, "jy", "示范县教育局", "gov"),
    (UnitKind.HEALTH, "wj", "示范县卫生健康局", "gov"),
    (UnitKind.PUBLIC_SECURITY, "ga", "示范县公安局", "gov"),
    (UnitKind.MARKET_REGULATION, "sj", "示范县市场监督管理局", "gov"),
    (UnitKind.TRANSPORT, "jt", "示范县交通运输局", "gov"),
    (UnitKind.AGRICULTURE, "ny", "示范县农业农村局", "gov"),
    (UnitKind.URBAN_MANAGEMENT, "cg", "示范县城市管理和综合执法局", "gov"),
    (UnitKind.POLITICAL_LEGAL, "zfw", "中共示范县委政法委员会", "party"),
    (UnitKind.DISCIPLINE, "jw", "示范县纪委监委", "party"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌辉鹏俊海波宁佳欣雪琳晨浩宇婷凤云"


class _DemoHasher(PBKDF2PasswordHasher):
    # Demo accounts only: a light work factor keeps ~70 accounts under a second to create. Django
    # sees the lower iteration count at the first login and re-hashes with the full default.
    iterations = 10_000


def demo_password(username: str) -> str:
    return f"demo-{username}"


@dataclass
class Township:
    territory: Territory
    government: Unit
    office: Unit
    villages: list[Territory]
    grids: list[Territory]
    pinyin: str


@dataclass
class DemoOrg:
    city: Territory
    county: Territory
    city_gov: Unit
    city_office: Unit
    county_party: Unit
    county_gov: Unit
    county_office: Unit
    joint_conference: Unit
    departments: dict[str, Unit]
    townships: list[Township]
    users: dict[str, User] = field(default_factory=dict)

    def township_of(self, unit: Unit) -> Township | None:
        return next((t for t in self.townships if unit.pk in (t.government.pk, t.office.pk)), None)


def _territory(code: str, name: str, level: TerritoryLevel, parent: Territory | None) -> Territory:
    return Territory.objects.create(code=code, name=name, level=level, parent=parent)


def _unit(
    code: str, name: str, kind: str, territory: Territory, parent: Unit | None, phone: str = ""
) -> Unit:
    return Unit.objects.create(
        code=code,
        name=name,
        kind=kind,
        territory=territory,
        parent=parent,
        phone=phone,
        address=territory.name,
    )


def build_org(rng_seed: int) -> DemoOrg:
    """Create the demo territory tree and organs (deterministic: names and codes are fixed)."""
    province = _territory(*PROVINCE, TerritoryLevel.PROVINCE, None)
    city = _territory(*CITY, TerritoryLevel.CITY, province)
    county = _territory(*COUNTY, TerritoryLevel.COUNTY, city)

    city_party = _unit("4301-SW", "中共示范市委", UnitKind.PARTY_COMMITTEE, city, None)
    city_gov = _unit("4301-ZF", "示范市人民政府", UnitKind.GOVERNMENT, city, None, "0731-12345")
    city_office = _unit("4301-XF", "示范市信访局", UnitKind.PETITION_OFFICE, city, city_gov, "0731-12300")
    county_party = _unit("430121-XW", "中共示范县委", UnitKind.PARTY_COMMITTEE, county, city_party)
    county_gov = _unit("430121-ZF", "示范县人民政府", UnitKind.GOVERNMENT, county, city_gov, "0731-86000000")
    county_office = _unit(
        "430121-XF", "示范县信访局", UnitKind.PETITION_OFFICE, county, county_gov, "0731-86012345"
    )
    joint = _unit(
        "430121-LX",
        "示范县信访工作联席会议",
        UnitKind.JOINT_CONFERENCE,
        county,
        county_party,
        "0731-86012300",
    )
    departments: dict[str, Unit] = {}
    for i, (kind, short, name, parent_key) in enumerate(DEPARTMENTS):
        parent = county_gov if parent_key == "gov" else county_party
        departments[short] = _unit(f"430121-{short.upper()}", name, kind, county, parent, f"0731-8610{i:04d}")

    townships: list[Township] = []
    for index, (name, pinyin, suffix) in enumerate(TOWNSHIPS):
        code = COUNTY[0] + suffix
        territory = _territory(code, name, TerritoryLevel.TOWNSHIP, county)
        gov_name = name.replace("街道", "街道办事处") if name.endswith("街道") else f"{name}人民政府"
        government = _unit(f"{code}-ZF", gov_name, UnitKind.GOVERNMENT, territory, county_gov)
        office = _unit(f"{code}-XF", f"{name}信访办", UnitKind.PETITION_OFFICE, territory, government)
        villages: list[Territory] = []
        grids: list[Territory] = []
        names = COMMUNITY_NAMES if name.endswith("街道") else VILLAGE_NAMES
        for v in range(3 + index % 2):
            is_community = name.endswith("街道")
            v_code = f"{code}{(1 if is_community else 201) + v:03d}"
            v_name = names[(index + v) % len(names)]
            village = _territory(v_code, v_name, TerritoryLevel.VILLAGE, territory)
            villages.append(village)
            _unit(f"{v_code}-CW", f"{name}{v_name}{'居' if is_community else '村'}民委员会",
                  UnitKind.VILLAGE_COMMITTEE, village, government)  # fmt: skip
            for g in range(2):
                grids.append(
                    _territory(
                        f"{v_code}W{g + 1:02d}", f"{v_name}第{g + 1}网格", TerritoryLevel.GRID, village
                    )
                )
        townships.append(Township(territory, government, office, villages, grids, pinyin))
    return DemoOrg(
        city,
        county,
        city_gov,
        city_office,
        county_party,
        county_gov,
        county_office,
        joint,
        departments,
        townships,
    )


def _person_name(n: int) -> str:
    return SURNAMES[(n * 7) % len(SURNAMES)] + GIVEN[(n * 11) % len(GIVEN)] + GIVEN[(n * 5 + 3) % len(GIVEN)]


def build_users(org: DemoOrg) -> dict[str, User]:
    """One account for every role, plus a handler and a head in each department and township."""
    spec: list[tuple[str, str, Unit, Role]] = [
        ("clerk", "李窗口", org.county_office, Role.CLERK),
        ("dispatcher", "周分办", org.county_office, Role.DISPATCHER),
        ("mediator", "郑调解", org.joint_conference, Role.MEDIATOR),
        ("leader", "刘县长", org.county_gov, Role.LEADER),
        ("supervisor", "陈督查", org.county_gov, Role.SUPERVISOR),
        ("reviewer", "钱复查", org.county_gov, Role.HANDLER),
        ("rereviewer", "吴复核", org.city_gov, Role.HANDLER),
        ("city_dispatcher", "冯市信访", org.city_office, Role.DISPATCHER),
        ("admin", "系统管理员", org.county_office, Role.ADMIN),
    ]
    n = 0
    for short, unit in org.departments.items():
        spec.append((f"handler_{short}", _person_name(n := n + 1) , unit, Role.HANDLER))  # fmt: skip
        spec.append((f"head_{short}", _person_name(n := n + 1) + "（局长）", unit, Role.UNIT_HEAD))
    for t in org.townships:
        spec.append((f"dispatcher_{t.pinyin}", _person_name(n := n + 1), t.office, Role.DISPATCHER))
        spec.append((f"handler_{t.pinyin}", _person_name(n := n + 1), t.government, Role.HANDLER))
        spec.append((f"head_{t.pinyin}", _person_name(n := n + 1) + "（镇长）", t.government, Role.UNIT_HEAD))
        committee = Unit.objects.get(code=f"{t.villages[0].code}-CW")
        spec.append((f"grid_{t.pinyin}", _person_name(n := n + 1), committee, Role.GRID_WORKER))

    hasher = _DemoHasher()
    users: dict[str, User] = {}
    for username, full_name, unit, role in spec:
        is_admin = role == Role.ADMIN
        users[username] = User.objects.create(
            username=username,
            full_name=full_name,
            unit=unit,
            role=role,
            is_staff=is_admin,
            is_superuser=is_admin,
            password=make_password(demo_password(username), hasher=hasher),
        )
    org.users = users
    return users
