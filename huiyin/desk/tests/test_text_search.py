"""Free-text staff search (issue 15; ADR 0010): the words go through the index of character pairs
(PostgreSQL: a GIN index, migration 0012; SQLite: an FTS5 table kept by triggers, migration 0013) and
LIKE checks them; the people's names through their own index; both inside `visible_to`, and a search by
name never finds an accusation whose accuser the user may not see (条例 §30¶3, CF-1). The same queries
give the same cases on both databases."""

from __future__ import annotations

import pytest
from django.db import connection

from huiyin.cases import selectors
from huiyin.cases.selectors import search_cases
from huiyin.cases.services import PetitionerIn
from huiyin.workflow import services as wf

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the pair index is PostgreSQL's")


@pytest.fixture
def texts(register_case):
    """Cases whose words differ just enough to tell a pair test from a word test."""
    return {
        "heating": register_case(title="冬季供暖不热", content="暖气片冰凉，室温只有十二度。"),
        "fees": register_case(title="物业乱收费", content="物业公司每月多收电梯费。"),
        "split": register_case(title="物品丢失", content="业务窗口遗失材料"),  # 物 and 业 apart: no 物业
        "latin": register_case(title="WiFi 信号差", content="社区 wifi 覆盖不到三楼"),
        "aba": register_case(title="AB BA", content="无"),  # holds the pairs of ABA, never the word
        "odd": register_case(title="折扣100%_真假", content="商家宣称打折"),
        "landline": register_case(
            petitioners=[PetitionerIn(name="王某", phone="0571-88001234", address="东城镇")],
            title="噪音扰民",
            content="夜间施工",
        ),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("供暖", {"heating"}),
        ("暖", {"heating"}),  # one character: LIKE alone
        ("物业", {"fees"}),  # 物 and 业 in the split case are no pair of it
        ("物业公司每月", {"fees"}),
        ("wifi", {"latin"}),  # either case, in the title and the content
        ("WIFI 信号", {"latin"}),
        ("ABA", set()),  # every pair is there, the word is not: LIKE rechecks
        ("100%_", {"odd"}),  # LIKE's wildcards are characters here
        ("%", {"odd"}),
        ("王某", {"landline"}),  # a petitioner's name
        ("0571-88001234", {"landline"}),  # a landline typed whole
        ("刘群众", {"heating", "fees", "split", "latin", "aba", "odd"}),  # the fixture's petitioner
        ("供暖物业", set()),
    ],
)
@pytest.mark.parametrize(
    "common_from", [1000, 1], ids=["a rare word: the index", "a common word: list order"]
)
def test_free_text_finds_the_words_and_the_people_and_nothing_else(
    q, expected, common_from, texts, dispatcher_zhou, monkeypatch
):
    monkeypatch.setattr(selectors, "COMMON_WORD_CASES", common_from)
    found = set(search_cases(dispatcher_zhou, q))
    assert found == {texts[k] for k in expected}


@pytest.mark.parametrize("common_from", [1000, 1])
def test_a_text_search_never_reaches_beyond_what_the_user_may_see(
    common_from, texts, handler_zhao_unit_b, monkeypatch
):
    monkeypatch.setattr(selectors, "COMMON_WORD_CASES", common_from)
    # 民政局 handles none of these: neither the words nor the names find them
    for q in ("供暖", "物业", "王某", "刘群众"):
        assert list(search_cases(handler_zhao_unit_b, q)) == [], q


@pytest.mark.parametrize("common_from", [1000, 1])
def test_the_accused_side_never_finds_an_accusation_by_its_accusers_name_30_3(
    common_from, register_case, org, dispatcher_zhou, supervisor_chen, handler_wang_unit_a, monkeypatch
):
    monkeypatch.setattr(selectors, "COMMON_WORD_CASES", common_from)
    case = register_case(
        petition_type="accusation",
        accused_unit_id=org.unit_a.pk,
        title="举报住建局某干部",
        content="收受红包",
    )
    wf.case_forward(
        case=wf.case_accept(case=case, actor=dispatcher_zhou), actor=dispatcher_zhou, unit=org.unit_b
    )
    # the superior finds it by its words (they name nobody), never by the accuser's name
    assert list(search_cases(supervisor_chen, "收受红包")) == [case]
    assert list(search_cases(supervisor_chen, "刘群众")) == []
    # the accused unit finds it by nothing
    for q in ("收受红包", "刘群众", "举报"):
        assert list(search_cases(handler_wang_unit_a, q)) == [], q
    assert list(search_cases(dispatcher_zhou, "刘群众")) == [case]


def test_free_text_results_keep_the_list_order(texts, dispatcher_zhou):
    rows = list(search_cases(dispatcher_zhou, "刘群众"))
    assert rows == sorted(rows, key=lambda c: (c.registered_at, c.pk), reverse=True)


@on_postgres
def test_the_pairs_of_a_text_are_its_adjacent_characters():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT huiyin_grams('物业物业费'), huiyin_grams(E'暖\\n气'), huiyin_grams('暖'), huiyin_grams('')"
        )
        pairs, newline, one, empty = cursor.fetchone()
    assert sorted(pairs) == ["业物", "业费", "物业", "物业"]  # at even offsets, then at odd ones
    assert sorted(newline) == ["\n气", "暖\n"] and one == [] and empty == []


@on_postgres
def test_a_word_search_reads_the_pair_index_never_the_whole_table(texts, dispatcher_zhou):
    sql, params = search_cases(dispatcher_zhou, "物业").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # seven rows: the planner would rather scan
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cases_case_text_grams" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_a_word_search_reads_the_fts_table_on_sqlite(texts, dispatcher_zhou):
    sql, params = search_cases(dispatcher_zhou, "物业").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "VIRTUAL TABLE INDEX" in plan and "cases_case_text" in plan, plan


def test_the_index_follows_every_write_of_the_text(texts, dispatcher_zhou):
    from huiyin.cases.models import Case

    fees = texts["fees"]
    # an edit of the title and content (an update() as well as a save)
    Case.objects.filter(pk=fees.pk).update(title="电梯停运", content="三号楼电梯停运一周")
    assert list(search_cases(dispatcher_zhou, "物业")) == []
    assert list(search_cases(dispatcher_zhou, "电梯停运")) == [Case.objects.get(pk=fees.pk)]
    heating = texts["heating"]
    heating.content = "燃气管道漏气"
    heating.save(update_fields=["content"])
    assert list(search_cases(dispatcher_zhou, "暖气片")) == []
    assert list(search_cases(dispatcher_zhou, "燃气管道")) == [heating]
    assert list(search_cases(dispatcher_zhou, "供暖")) == [heating]  # its title is unchanged
    # a row inserted without the model's save (bulk_create; the import writes raw executemany / COPY)
    fees = Case.objects.get(pk=fees.pk)
    fees.pk, fees.code, fees.idempotency_key = None, "HY250101IMPORT", None
    fees.title, fees.content = "占道经营", "早市摊贩占用人行道"
    (copy,) = Case.objects.bulk_create([fees])
    assert [c.pk for c in search_cases(dispatcher_zhou, "人行道")] == [copy.pk]
    # and a deleted case leaves the index with it
    Case.objects.filter(pk=copy.pk).delete()
    assert list(search_cases(dispatcher_zhou, "人行道")) == []
    if connection.vendor == "sqlite":  # the contentless FTS5 table forgets its words (trigger _ad)
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM cases_case_text WHERE cases_case_text MATCH '\"人行 行道\"'")
            assert cursor.fetchall() == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_a_migration_that_remakes_the_case_table_loses_no_word_on_sqlite(texts, dispatcher_zhou):
    from huiyin.cases.models import Case
    from huiyin.cases.textsearch import ensure_sqlite_index, repair_after_migrate

    assert ensure_sqlite_index(connection) is False  # whole after the test database's migrate
    # as Django's SQLite schema editor does when it remakes the table: the triggers go with it
    with connection.cursor() as cursor:
        for trigger in ("ai", "ad", "au"):
            cursor.execute(f"DROP TRIGGER cases_case_text_{trigger}")
    Case.objects.filter(pk=texts["fees"].pk).update(title="电梯停运")  # a write nobody indexed
    repair_after_migrate(sender=None, using="default")  # what the next migrate runs at its end
    assert list(search_cases(dispatcher_zhou, "电梯停运")) == [Case.objects.get(pk=texts["fees"].pk)]
    Case.objects.filter(pk=texts["heating"].pk).update(title="路面塌陷")  # the triggers are back
    assert [c.pk for c in search_cases(dispatcher_zhou, "路面塌陷")] == [texts["heating"].pk]
    assert list(search_cases(dispatcher_zhou, "供暖不热")) == []


def test_a_common_word_walks_the_list_order_and_a_rare_one_reads_the_index(
    texts, dispatcher_zhou, monkeypatch
):
    def sql(q: str) -> str:
        return str(search_cases(dispatcher_zhou, q).query)

    assert "UNION" in sql("物业")  # one case holds it: the index's few cases, sorted
    monkeypatch.setattr(selectors, "COMMON_WORD_CASES", 1)
    assert "UNION" not in sql("物业") and "LIKE" in sql("物业")  # as many as a page: the list's order
