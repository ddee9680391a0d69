"""The replica router (core/dbrouter.py, issue 15 item 4): only the code that asks reads from the
replica, never inside a transaction on the primary, never a write; without a replica nothing changes."""

from __future__ import annotations

import pytest

from huiyin.cases.models import Case
from huiyin.core import dbrouter
from huiyin.core.dbrouter import ReplicaRouter, on_replica, replica_reads
from huiyin.core.tests.settings_probe import settings_output


class _Primary:
    in_atomic_block = False


class _Connections(dict):
    """The router's view of the connections: a primary (in a transaction or not) and a replica."""

    databases = {"default": {}, "replica": {}}


@pytest.fixture
def primary(monkeypatch):
    conn = _Primary()
    monkeypatch.setattr(dbrouter, "connections", _Connections(default=conn))
    return conn


@pytest.fixture
def with_replica(primary):
    return primary


def test_without_a_replica_every_read_stays_on_the_primary(db):
    assert not dbrouter.replica_configured()
    with replica_reads():
        assert Case.objects.all().db == "default"


def test_inside_replica_reads_a_read_goes_to_the_replica_and_outside_it_does_not(with_replica):
    assert Case.objects.all().db == "default"
    with replica_reads():
        assert Case.objects.all().db == "replica"
    assert Case.objects.all().db == "default"  # the block's end restores the primary


def test_a_read_inside_a_transaction_reads_its_own_writes_on_the_primary(with_replica):
    with_replica.in_atomic_block = True  # a service's transaction.atomic() on the primary
    with replica_reads():
        assert Case.objects.all().db == "default"


def test_writes_and_migrations_go_to_the_primary_only(with_replica):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_write(Case) == "default"
    assert router.allow_migrate("default", "cases") is True
    assert router.allow_migrate("replica", "cases") is False


def test_a_decorated_view_reads_from_the_replica_only_while_it_runs(with_replica):
    seen = []

    @on_replica
    def view() -> str:
        seen.append(ReplicaRouter().db_for_read(Case))
        return "page"

    assert view() == "page"
    assert seen == ["replica"]
    assert ReplicaRouter().db_for_read(Case) is None


def test_the_analytics_pages_and_documents_ask_for_the_replica():
    # the places that may read a few seconds late: the dashboard, its exports, the public statistics
    # and the stored documents; nothing else (a case page or a workbench never)
    from huiyin.analytics import documents, views
    from huiyin.portal import selectors

    assert getattr(views.dashboard_view, "__wrapped__", None) is not None
    import inspect

    assert "replica_reads()" in inspect.getsource(documents.document_ensure)
    assert "on_replica(public_statistics)" in inspect.getsource(selectors.public_statistics)


def _settings(env: dict[str, str]) -> str:
    return settings_output(
        env,
        "r = s.DATABASES.get('replica');"
        "print(sorted(s.DATABASES), r and r['TEST'].get('MIRROR'), r and r['NAME'], s.DATABASE_ROUTERS)",
    )


def test_the_replica_url_adds_an_alias_that_mirrors_the_primary_in_tests():
    got = _settings(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/huiyin",
            "HUIYIN_REPLICA_URL": "postgres://postgres@127.0.0.1:5433/huiyin",
        }
    )
    assert got == "['default', 'replica'] default huiyin ['huiyin.core.dbrouter.ReplicaRouter']"


def test_no_replica_url_no_alias():
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/huiyin", "HUIYIN_REPLICA_URL": ""}
    assert _settings(env).startswith("['default'] None None")


@pytest.mark.parametrize(
    "env, message",
    [
        (
            {"DATABASE_URL": "sqlite:///x.sqlite3", "HUIYIN_REPLICA_URL": "postgres://h/db"},
            "needs DATABASE_URL",
        ),
        (
            {"DATABASE_URL": "postgres://postgres@127.0.0.1/huiyin", "HUIYIN_REPLICA_URL": "sqlite:///x"},
            "must be a PostgreSQL URL",
        ),
    ],
)
def test_a_replica_beside_sqlite_or_of_another_kind_refuses_to_start(env, message):
    out = _settings(env)
    assert "ImproperlyConfigured" in out and message in out


def _cache(env: dict[str, str]) -> str:
    return settings_output(
        {"HUIYIN_CACHE_URL": "", **env},
        "c = s.CACHES['default']; print(c['BACKEND'].rsplit('.', 1)[-1], c.get('LOCATION', ''))",
    )


def test_several_app_servers_share_a_redis_cache_when_one_is_named():
    # the rate limits must count one citizen's requests across every app server (docs/deploy.md)
    assert _cache({"HUIYIN_CACHE_URL": "redis://127.0.0.1:6379/3"}) == "RedisCache redis://127.0.0.1:6379/3"
    assert _cache({}) == "LocMemCache"  # development, as before


def test_a_cache_url_of_another_kind_refuses_to_start():
    out = _cache({"HUIYIN_CACHE_URL": "memcached://127.0.0.1:11211"})
    assert "ImproperlyConfigured" in out and "redis://" in out
