"""Real citizen messages (TipDM 2020 problem C, settings.HUIYIN_DATA_DIR) as demo case text.

messages_labeled.csv gives text, first-level label and title; messages_with_replies.csv gives the
government's real replies, used as the opinion's facts and reasons. The replies file carries no
label, so its first-level class is guessed from keywords (good enough to route a demo case).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

LABELS = ("城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护", "卫生计生", "交通运输")
KEYWORDS: dict[str, tuple[str, ...]] = {
    "城乡建设": (
        "小区",
        "物业",
        "拆迁",
        "房",
        "施工",
        "业主",
        "开发商",
        "供水",
        "停水",
        "路灯",
        "燃气",
        "违建",
    ),
    "劳动和社会保障": ("工资", "社保", "养老", "医保", "退休", "劳动", "公积金", "就业", "欠薪", "合同"),
    "教育文体": ("学校", "学生", "老师", "教师", "教育", "幼儿园", "入学", "补课", "学位", "考试"),
    "商贸旅游": ("商家", "消费", "超市", "旅游", "景区", "商户", "价格", "退款", "市场", "销售"),
    "环境保护": ("污染", "噪音", "噪声", "排放", "垃圾", "臭", "环保", "粉尘", "油烟", "污水"),
    "卫生计生": ("医院", "医生", "卫生", "患者", "生育", "疫苗", "诊所", "药", "看病", "计生"),
    "交通运输": ("公交", "出租", "交通", "车辆", "道路", "驾驶", "客运", "站", "的士", "地铁"),
}


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    label: str
    reply: str = ""


def guess_label(text: str) -> str:
    scores = {label: sum(text.count(word) for word in words) for label, words in KEYWORDS.items()}
    best = max(scores, key=lambda label: scores[label])
    return best if scores[best] else "城乡建设"


def _title(title: str, text: str) -> str:
    title = " ".join(title.split())
    if title:
        return title[:60]
    first = text.replace("\n", " ").split("。")[0].strip()
    return (first[:28] + "…") if len(first) > 28 else first


def _usable(text: str) -> bool:
    return 30 <= len(text) <= 3000


def load_messages(data_dir: Path | None = None) -> tuple[list[Message], list[Message]]:
    """Return (labelled messages, messages with a real reply), in file order."""
    data_dir = Path(data_dir or settings.HUIYIN_DATA_DIR)
    labelled_path = data_dir / "messages_labeled.csv"
    replies_path = data_dir / "messages_with_replies.csv"
    if not labelled_path.is_file() or not replies_path.is_file():
        raise FileNotFoundError(
            f"演示数据需要 {labelled_path} 和 {replies_path}（设置 HUIYIN_DATA_DIR 指向 tipdm2020c 目录）"
        )
    labelled: list[Message] = []
    with labelled_path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = row["text"].strip()
            if _usable(text) and row["label"] in LABELS:
                labelled.append(Message(_title(row.get("title", ""), text), text, row["label"]))
    with_replies: list[Message] = []
    with replies_path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text, reply = row["留言详情"].strip(), row["答复意见"].strip()
            if _usable(text) and len(reply) >= 40:
                with_replies.append(Message(_title(row["留言主题"], text), text, guess_label(text), reply))
    return labelled, with_replies


class MessageSource:
    """Deals messages without repeats (until the pool runs out) from a seeded shuffle."""

    def __init__(self, rng: random.Random, data_dir: Path | None = None) -> None:
        labelled, with_replies = load_messages(data_dir)
        rng.shuffle(labelled)
        rng.shuffle(with_replies)
        self._labelled, self._replies = labelled, with_replies
        self._i = self._j = 0

    def plain(self) -> Message:
        message = self._labelled[self._i % len(self._labelled)]
        self._i += 1
        return message

    def answered(self) -> Message:
        message = self._replies[self._j % len(self._replies)]
        self._j += 1
        return message
