"""The pure helpers of bench.peer (the benchmark itself runs only when asked: python -m bench.peer)."""

import math
from importlib import metadata

import pytest

from bench import peer
from bench.peer_probe import query_kind


def test_defaults_interleave_three_pairs_on_both_databases():
    args = peer.parse_args([])
    assert (args.pairs, args.concurrency, args.workers) == (3, 8, 2)
    assert args.backends == ["sqlite", "postgres"]


def test_backends_are_checked_and_deduplicated():
    assert peer.parse_args(["--backends", "postgres, sqlite,postgres"]).backends == ["postgres", "sqlite"]
    for bad in ("mysql", "sqlite,oracle", " , "):
        with pytest.raises(SystemExit):
            peer.parse_args(["--backends", bad])


@pytest.mark.parametrize(
    "argv",
    [["--pairs", "0"], ["--pairs", "21"], ["--requests", "0"], ["--concurrency", "65"], ["--existing", "-1"]],
)
def test_counts_out_of_bounds_are_refused(argv):
    with pytest.raises(SystemExit):
        peer.parse_args(argv)


def test_ratios_are_per_pair_and_never_divide_by_zero():
    assert peer.ratios([30.0, 20.0], [10.0, 40.0]) == [3.0, 0.5]
    nan_pair = peer.ratios([5.0], [0.0])
    assert math.isnan(nan_pair[0])
    with pytest.raises(ValueError):
        peer.ratios([1.0, 2.0], [1.0])


def test_median_of_an_even_count_and_of_nothing():
    assert peer.median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert peer.median([7.0, 1.0, 3.0]) == 3.0
    assert math.isnan(peer.median([]))


def test_the_peer_gets_the_same_petition_text():
    huiyin = {"title": "标" * 250, "content": "事实和理由", "request": "请求依法处理"}
    ticket = peer.helpdesk_payload(huiyin, queue_id=7, i=3)
    assert ticket["queue"] == 7
    assert ticket["title"] == "标" * 200  # django-helpdesk's title is 200 characters
    assert ticket["description"] == "事实和理由\n\n请求依法处理"
    assert ticket["submitter_email"] == "petitioner3@example.cn"


def test_the_peer_runs_on_the_django_and_gunicorn_that_huiyin_runs_on():
    reqs = peer.peer_requirements()
    assert f"django-helpdesk=={peer.HELPDESK_VERSION}" in reqs
    assert f"Django=={metadata.version('Django')}" in reqs
    assert f"gunicorn=={metadata.version('gunicorn')}" in reqs


def test_the_generated_project_is_valid_python(tmp_path):
    peer.write_project(tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["peer_auth.py", "peer_settings.py", "peer_setup.py", "peer_urls.py", "peer_wsgi.py"]
    for path in tmp_path.iterdir():
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    assert 'keyword = "Bearer"' in (tmp_path / "peer_auth.py").read_text(encoding="utf-8")


def test_query_kinds_name_the_verb_and_the_table():
    assert query_kind('SELECT "org_apitoken"."id" FROM "org_apitoken" WHERE x = 1') == "SELECT org_apitoken"
    assert query_kind('INSERT INTO "cases_case" ("code") VALUES (%s)') == "INSERT cases_case"
    assert query_kind('UPDATE "notify_outboxmessage" SET a = 1') == "UPDATE notify_outboxmessage"
    assert query_kind('SAVEPOINT "s1_x1"') == "SAVEPOINT"
    assert query_kind("") == "?"
