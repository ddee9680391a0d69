"""Retraining on the office's concluded cases, the command line around it, and the API."""

from __future__ import annotations

import json
from datetime import date

import pytest

from huiyin.assist import cli, selectors
from huiyin.assist.services import category_model_retrain, training_rows_from_cases
from huiyin.assist.tests.conftest import LEAK
from huiyin.cases.choices import Status
from huiyin.cases.models import Category
from huiyin.core.errors import ValidationFailed
from huiyin.workflow.tests.drive import drive_to

pytestmark = pytest.mark.django_db

TEXTS = {
    "城乡建设": ["小区楼道漏水物业不修", "小区电梯坏了物业不管", "楼道墙面发霉漏水", "物业乱收停车费"],
    "教育文体": ["学校违规收取补课费", "幼儿园收费太高", "学校食堂饭菜质量差", "小学放学太早家长接送难"],
}


@pytest.fixture
def closed_cases(register_case, cast_all, clock):
    clock.set(date(2025, 3, 3))
    for label, texts in TEXTS.items():
        leaf = Category.objects.filter(level=3, full_name__startswith=label + " / ").first()
        for text in texts:
            drive_to(
                register_case(title=text, content=text + "，请求解决。", category_id=leaf.pk),
                Status.CLOSED,
                cast_all,
            )
    register_case(title="未办结的事项", content="还在登记阶段")


def test_only_concluded_cases_with_a_category_are_training_rows(closed_cases):
    rows = training_rows_from_cases()
    assert len(rows) == 8 and {label for _, label in rows} == set(TEXTS)


def test_retraining_on_the_cases_is_deterministic_and_never_overwrites_the_shipped_model(
    closed_cases, tmp_path
):
    a = category_model_retrain(out=tmp_path / "a.npz", include_shipped=False)
    category_model_retrain(out=tmp_path / "b.npz", include_shipped=False)
    assert a["n_cases"] == 8 and a["classes"] == sorted(TEXTS)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    from huiyin.assist.classify import DEFAULT_MODEL_PATH

    with pytest.raises(ValidationFailed):
        category_model_retrain(out=DEFAULT_MODEL_PATH, include_shipped=False)


def test_a_retrained_model_is_picked_up_without_a_restart(closed_cases, tmp_path, monkeypatch):
    path = tmp_path / "office.npz"
    monkeypatch.setenv("HUIYIN_CATEGORY_MODEL", str(path))
    assert cli.main(["retrain", "--from-cases", "--no-shipped-data"]) == 0
    assert selectors.category_model().classes == sorted(TEXTS)


def test_retrain_without_from_cases_is_refused():
    with pytest.raises(SystemExit):
        cli.main(["retrain"])


def test_the_backfill_command_prints_what_it_stored(register_case, capsys):
    register_case(title="小区楼道漏水", content=LEAK)
    assert cli.main(["backfill"]) == 0
    assert json.loads(capsys.readouterr().out)["stored"] == 1


def test_the_api_suggests_categories_units_and_the_territory(client, clerk_li, org):
    client.force_login(clerk_li)
    response = client.post(
        "/api/assist/suggestions",
        {"title": "小区楼道漏水", "content": LEAK, "address": "东城镇柳林村"},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200
    assert body["categories"][0]["label"] == "城乡建设"
    assert body["categories"][0]["unit"]["name"] == "示范县住房和城乡建设局"
    assert body["territory"]["id"] == org.village.pk


def test_the_api_lists_duplicate_candidates_of_a_case(client, dispatcher_zhou, register_indexed):
    first = register_indexed(title="小区楼道漏水", content=LEAK)
    again = register_indexed(title="楼道漏水", content=LEAK)
    client.force_login(dispatcher_zhou)
    body = client.get(f"/api/assist/cases/{again.code}/duplicates").json()
    assert [c["code"] for c in body["candidates"]] == [first.code]
    assert body["candidates"][0]["reason"] == "same_petitioner"
    assert body["candidates"][0]["merge_into"] == first.code


def test_the_api_checks_a_draft_against_the_cases_the_caller_may_see(
    client, handler_zhao_unit_b, register_indexed
):
    register_indexed(title="小区楼道漏水", content=LEAK)
    client.force_login(handler_zhao_unit_b)
    body = client.post(
        "/api/assist/duplicates", {"title": "漏水", "content": LEAK}, content_type="application/json"
    ).json()
    assert body == {"collective": False, "candidates": []}
