"""The documented template of the historical-case import (issue 11 item 6; SPEC §3.10 "Excel import of
historical cases"): one row per case, a header row in Chinese, a filled example row, and a notes sheet
that says what every column holds, whether it is required and which values it accepts.

The column list here is the one truth: the template, its notes, the parser and the error report
(which names the column by its header) all read it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from huiyin.cases.choices import Channel, PetitionType, Rating

# the channels a historical record can have come in by (not the API or the field findings of a module)
IMPORT_CHANNELS = (Channel.VISIT, Channel.LETTER, Channel.PHONE, Channel.FAX, Channel.ONLINE, Channel.MAILBOX)


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    required: bool
    note: str
    example: str
    width: int = 16


COLUMNS: tuple[Col, ...] = (
    Col(
        "source_key",
        "原系统编号",
        True,
        "该件在原系统（或纸质台账）中的编号，全表唯一，最长60字。再次导入同一编号的行会被跳过，不会重复登记。",
        "XF-2021-000123",
        18,
    ),
    Col(
        "registered_at",
        "登记时间",
        True,
        "该件当年的登记日期，格式 YYYY-MM-DD 或 YYYY-MM-DD HH:MM（也可为 Excel 日期单元格），不得晚于今天。"
        "时限自该日起算（《信访工作条例》第二十二条、第二十三条）。",
        "2021-03-15 09:30",
        18,
    ),
    Col(
        "channel",
        "渠道",
        True,
        "填写其一：" + "、".join(str(c.label) for c in IMPORT_CHANNELS) + "（条例第十七条）。",
        str(Channel.VISIT.label),
        10,
    ),
    Col(
        "petition_type",
        "信访类型",
        True,
        "填写其一：" + "、".join(str(t.label) for t in PetitionType) + "（条例第二十九条至第三十一条）。"
        "检举控告须写明被反映人或被反映单位。",
        str(PetitionType.COMPLAINT.label),
        10,
    ),
    Col("title", "标题", True, "该件的标题，最长200字。", "小区楼道漏水无人维修", 30),
    Col(
        "content",
        "事实和理由",
        True,
        "信访人反映的事实和理由（条例第十九条）。",
        "我家所在小区3栋楼道漏水半年。",
        40,
    ),
    Col("request", "信访请求", False, "信访人的请求，可空。", "请督促物业维修", 24),
    Col(
        "category",
        "问题分类",
        False,
        "本系统问题分类的全称（如“城乡建设/住房保障”），或在分类中唯一的末级名称；可空。",
        "",
        24,
    ),
    Col(
        "territory",
        "问题属地",
        False,
        "问题发生地的行政区划代码（推荐）或名称（须在本系统区域中唯一）；可空。",
        "430121100",
        14,
    ),
    Col("address", "问题发生地址", False, "可空，最长200字。", "东城镇柳林村3组", 20),
    Col(
        "office",
        "登记单位",
        False,
        "登记该件的信访部门的单位代码或名称；空则为导入人所在单位。须为导入人所在辖区内的信访部门。",
        "",
        16,
    ),
    Col("handling_unit", "承办单位", False, "转送或交办的承办单位的单位代码或名称；可空。", "", 16),
    Col("accused_person", "被反映人", False, "检举控告的被反映人姓名；可空。", "", 12),
    Col(
        "accused_unit",
        "被反映单位",
        False,
        "被反映单位的单位代码或名称；可空。登记单位不得属被反映单位一方（条例第三十条第三款）。",
        "",
        16,
    ),
    Col(
        "petitioner_name",
        "信访人姓名",
        False,
        "姓名或组织名称。空则按“姓名或住址不清”登记。网上信访的申诉求决、检举控告须写明姓名和联系电话"
        "（与登记时的规则相同）。",
        "刘群众",
        12,
    ),
    Col(
        "petitioner_id_number",
        "身份证号码",
        False,
        "18位居民身份证号码（按国家标准校验），可空。同一号码在多行出现视为同一信访人。",
        "11010519491231002X",
        22,
    ),
    Col("petitioner_phone", "联系电话", False, "可空，最长20字。", "13800001234", 14),
    Col("petitioner_address", "联系地址", False, "可空，最长200字。", "东城镇柳林村", 20),
    Col(
        "closed_on",
        "办结日期",
        False,
        "已办结的件填写办结日期（YYYY-MM-DD），不得早于登记日期、不得晚于今天；该件以“已办结”导入，"
        "其办理时限按登记日起算、于办结日停止（按期或超期）。空则以“已登记”导入，登记分办时限自登记日起算。",
        "2021-04-20",
        12,
    ),
    Col("outcome", "办理结果", False, "办结时的处理结果或答复要点，可空。", "已督促物业完成维修。", 30),
    Col(
        "rating",
        "满意度",
        False,
        "信访人的评价，填写其一：" + "、".join(str(r.label) for r in Rating) + "；只可用于已办结的件；可空。",
        str(Rating.SATISFIED.label),
        10,
    ),
)
HEADERS = tuple(c.header for c in COLUMNS)
BY_HEADER = {c.header: c for c in COLUMNS}
SHEET = "历史信访事项"
NOTES_SHEET = "填写说明"


def template_bytes() -> bytes:
    """The template workbook: the header row, one filled example row, and the notes sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    ws.title = SHEET
    ws.append(list(HEADERS))
    ws.append([c.example for c in COLUMNS])
    required = PatternFill("solid", fgColor="FDE9D9")
    for i, c in enumerate(COLUMNS, 1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        if c.required:
            cell.fill = required
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = "A2"
    notes = book.create_sheet(NOTES_SHEET)
    notes.append(["列名", "是否必填", "说明", "示例"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for c in COLUMNS:
        notes.append([c.header, "必填" if c.required else "选填", c.note, c.example])
    notes.append([])
    for line in (
        "第一行为列名，请勿修改或调整顺序以外的内容；列的顺序可以调整，多余的列会被忽略。",
        "第二行是示例，导入前请删除或改为真实数据（示例的原系统编号导入后即占用）。",
        "整表校验：任何一行有错，整表都不导入，并逐行逐列列出错误；改正后重新上传即可。",
        "同一原系统编号只导入一次：重复上传同一文件不会重复登记。",
        "导入的事项标记为“历史数据导入”，不向信访人或工作人员发送任何通知。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 90
    notes.column_dimensions["D"].width = 22
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
