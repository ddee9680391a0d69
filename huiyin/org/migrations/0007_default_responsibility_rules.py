"""Seed the default responsibility matrix: each first-level subject to the county department that
usually has competence (属地管理、分级负责，谁主管、谁负责; 条例 §22¶1(二)). Offices edit it in the admin."""

from django.db import migrations

COUNTY, TOWNSHIP = 3, 4
DEFAULTS = [
    (None, TOWNSHIP, "government", "未匹配分类时由问题属地乡镇（街道）人民政府办理"),
    ("交通运输", COUNTY, "transport", ""),
    ("党务政务", COUNTY, "government", ""),
    ("农村农业", COUNTY, "agriculture", ""),
    ("农村农业 / 村务管理", TOWNSHIP, "government", "村务由乡镇（街道）指导监督"),
    ("农村农业 / 土地承包经营", TOWNSHIP, "government", "土地承包纠纷先由乡镇调处"),
    ("劳动和社会保障", COUNTY, "human_resources", ""),
    ("卫生计生", COUNTY, "health", ""),
    ("卫生计生 / 食品药品监管", COUNTY, "market_regulation", ""),
    ("商贸旅游", COUNTY, "market_regulation", ""),
    ("国土资源", COUNTY, "natural_resources", ""),
    ("城乡建设", COUNTY, "housing", ""),
    ("城乡建设 / 城市建设和市政管理", COUNTY, "urban_management", ""),
    ("城乡建设 / 城乡规划", COUNTY, "natural_resources", "规划职能在自然资源部门"),
    ("政法", COUNTY, "political_legal", "涉法涉诉事项导入政法部门（条例 §28¶2）"),
    ("教育文体", COUNTY, "education", ""),
    ("民政", COUNTY, "civil_affairs", ""),
    ("环境保护", COUNTY, "ecology", ""),
    ("科技与信息产业", COUNTY, "government", ""),
    ("纪检监察", COUNTY, "discipline", "检举控告按管理权限转纪检监察机关（条例 §22¶2）"),
    ("经济管理", COUNTY, "government", ""),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    Rule = apps.get_model("org", "ResponsibilityRule")
    for full_name, level, kind, note in DEFAULTS:
        category = Category.objects.filter(full_name=full_name).first() if full_name else None
        if full_name and category is None:
            continue
        Rule.objects.get_or_create(category=category, territory=None,
                                   defaults={"level": level, "unit_kind": kind, "note": note})


def backwards(apps, schema_editor):
    apps.get_model("org", "ResponsibilityRule").objects.filter(territory=None).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0006_responsibility_rule"), ("cases", "0003_subject_taxonomy")]
    operations = [migrations.RunPython(forwards, backwards)]
