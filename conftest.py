"""The cast of the test suite. Each persona has one role in one unit; their access is written beside them.

Org used by the tests (a city with one county):
    示范市人民政府 city_gov ── 示范市信访局 city_office
      └── 示范县人民政府 county_gov (the 复查 organ for county units)
            ├── 示范县信访局 county_office (registers and routes cases)
            ├── 县住房和城乡建设局 unit_a
            ├── 县民政局 unit_b
            └── 东城镇人民政府 township_gov
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time

import pytest

os.environ.setdefault("HUIYIN_DEBUG", "1")

pytest_plugins = ["tests.s3"]  # the local S3 server fixtures (`store`)


def pytest_configure(config):
    from django.conf import settings

    # Personas are created in every test: the production hasher's 1M rounds would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(items):
    """Every transactional test restores the serialized database when it ends. A plain one's flush
    re-runs post_migrate, which recreates the content types; the next test that restores serialized
    data (backup, worker) then collides with them (UNIQUE django_content_type). One rule for all,
    instead of remembering it test by test."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker is not None
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}),
                append=False,
            )


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test's teardown flushes the database with post_migrate inhibited (serialized
    rollback), taking the reference data (taxonomy, responsibility matrix, rule profiles) with it. The
    next transactional test restores its serialized copy, but a plain test scheduled after it on the
    same xdist worker would find no routing rules: put the reference data back before such a test."""
    yield
    if not _transactional(item) or nextitem is None or _transactional(nextitem):
        return
    from pytest_django.plugin import blocking_manager_key

    from huiyin.core import registry

    with item.config.stash[blocking_manager_key].unblock():
        registry.restore_reference_data()


@dataclass
class Org:
    province: object
    city: object
    county: object
    township: object
    village: object
    city_gov: object
    city_office: object
    county_gov: object
    county_office: object
    unit_a: object
    unit_b: object
    township_gov: object


def build_org():
    from huiyin.org.choices import TerritoryLevel as L
    from huiyin.org.choices import UnitKind as K
    from huiyin.org.models import Territory, Unit

    province = Territory.objects.create(code="43", name="示范省", level=L.PROVINCE)
    city = Territory.objects.create(code="4301", name="示范市", level=L.CITY, parent=province)
    county = Territory.objects.create(code="430121", name="示范县", level=L.COUNTY, parent=city)
    township = Territory.objects.create(code="430121100", name="东城镇", level=L.TOWNSHIP, parent=county)
    village = Territory.objects.create(code="430121100201", name="柳林村", level=L.VILLAGE, parent=township)
    city_gov = Unit.objects.create(code="C-GOV", name="示范市人民政府", kind=K.GOVERNMENT, territory=city)
    city_office = Unit.objects.create(
        code="C-XF", name="示范市信访局", kind=K.PETITION_OFFICE, territory=city, parent=city_gov
    )
    county_gov = Unit.objects.create(
        code="X-GOV", name="示范县人民政府", kind=K.GOVERNMENT, territory=county, parent=city_gov
    )
    county_office = Unit.objects.create(
        code="X-XF", name="示范县信访局", kind=K.PETITION_OFFICE, territory=county, parent=county_gov
    )
    unit_a = Unit.objects.create(
        code="X-ZJ", name="示范县住房和城乡建设局", kind=K.HOUSING, territory=county, parent=county_gov
    )
    unit_b = Unit.objects.create(
        code="X-MZ", name="示范县民政局", kind=K.CIVIL_AFFAIRS, territory=county, parent=county_gov
    )
    township_gov = Unit.objects.create(
        code="T-GOV", name="东城镇人民政府", kind=K.GOVERNMENT, territory=township, parent=county_gov
    )
    return Org(
        province,
        city,
        county,
        township,
        village,
        city_gov,
        city_office,
        county_gov,
        county_office,
        unit_a,
        unit_b,
        township_gov,
    )


@pytest.fixture
def org(db):
    return build_org()


def _user(username, full_name, unit, role):
    from huiyin.org.models import User

    return User.objects.create_user(
        username=username, password="pw-" + username, full_name=full_name, unit=unit, role=role
    )


@pytest.fixture
def clerk_li(org):
    """Window clerk at the county petition office: registers, delivers, records ratings and review requests."""
    return _user("clerk_li", "李窗口", org.county_office, "clerk")


@pytest.fixture
def dispatcher_zhou(org):
    """Dispatcher at the county petition office: accepts, routes, decides objections."""
    return _user("dispatcher_zhou", "周分办", org.county_office, "dispatcher")


@pytest.fixture
def handler_wang_unit_a(org):
    """Handler in 住建局 (unit A): works cases assigned to unit A only."""
    return _user("handler_wang", "王承办", org.unit_a, "handler")


@pytest.fixture
def head_sun_unit_a(org):
    """Head of unit A: approves extensions, may reply."""
    return _user("head_sun", "孙局长", org.unit_a, "unit_head")


@pytest.fixture
def handler_zhao_unit_b(org):
    """Handler in 民政局 (unit B): sees nothing of unit A's cases."""
    return _user("handler_zhao", "赵承办", org.unit_b, "handler")


@pytest.fixture
def reviewer_qian(org):
    """Handler at the county government: the 复查 organ above county departments."""
    return _user("reviewer_qian", "钱复查", org.county_gov, "handler")


@pytest.fixture
def rereviewer_wu(org):
    """Handler at the city government: the 复核 organ above the county government."""
    return _user("rereviewer_wu", "吴复核", org.city_gov, "handler")


@pytest.fixture
def supervisor_chen(org):
    """Supervisor at the county government: sees every case in the county's territory."""
    return _user("supervisor_chen", "陈督查", org.county_gov, "supervisor")


class Clockwork:
    """Moves the application's clock (huiyin.core.timeutil) for deadline tests."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def set(self, day: date, at: time = time(10, 0)) -> None:
        from django.utils import timezone

        from huiyin.core import timeutil

        moment = timezone.make_aware(datetime.combine(day, at))
        self.monkeypatch.setattr(timeutil, "now", lambda: moment)


@pytest.fixture
def clock(monkeypatch):
    return Clockwork(monkeypatch)


@pytest.fixture
def register_case(org, clerk_li):
    """Register a simple complaint at the county office and return it."""
    from huiyin.cases.services import CaseIn, PetitionerIn
    from huiyin.intake.services import case_register

    def make(**overrides):
        petitioners = overrides.pop(
            "petitioners",
            [
                PetitionerIn(
                    name="刘群众", id_number="11010519491231002X", phone="13800001234", address="东城镇柳林村"
                )
            ],
        )
        actor = overrides.pop("actor", clerk_li)
        data = CaseIn(
            channel=overrides.pop("channel", "visit"),
            petition_type=overrides.pop("petition_type", "complaint"),
            title=overrides.pop("title", "小区楼道漏水无人维修"),
            content=overrides.pop("content", "我家所在小区3栋楼道漏水半年，多次找物业无果。"),
            request=overrides.pop("request", "请督促物业维修"),
            petitioners=petitioners,
            **overrides,
        )
        case, _ = case_register(data=data, office=org.county_office, actor=actor)
        return case

    return make


@pytest.fixture
def cast_all(
    org, clerk_li, dispatcher_zhou, handler_wang_unit_a, head_sun_unit_a, reviewer_qian, rereviewer_wu
):
    """Everyone a case meets on its way to the end, for `huiyin.workflow.tests.drive.drive_to`."""
    from huiyin.workflow.tests.drive import Cast

    return Cast(
        org,
        clerk=clerk_li,
        dispatcher=dispatcher_zhou,
        handler=handler_wang_unit_a,
        head=head_sun_unit_a,
        reviewer=reviewer_qian,
        rereviewer=rereviewer_wu,
    )


def require_shared(path) -> None:
    """Fail loudly (never skip) when the shipped data a test needs is missing: a silent skip would pass a
    clone that is not next to shared/ (set HUIYIN_DATA_DIR, or clone beside shared/)."""
    from pathlib import Path

    if not Path(path).exists():
        pytest.fail(
            f"{path} is missing: clone the repository next to shared/ (or set HUIYIN_DATA_DIR)", pytrace=False
        )


@pytest.fixture
def shipped_messages():
    """The real citizen messages of ../shared/data/tipdm2020c (or $HUIYIN_DATA_DIR)."""
    from django.conf import settings

    require_shared(settings.HUIYIN_DATA_DIR / "messages_labeled.csv")
    return settings.HUIYIN_DATA_DIR


@pytest.fixture
def open311_schemas():
    """The GeoReport v2 JSON schemas of ../shared/open311/georeport-v2."""
    from pathlib import Path

    from django.conf import settings

    path = Path(settings.REPO_DIR).parent / "shared" / "open311" / "georeport-v2"
    require_shared(path)
    return path


PUBLISHED_THROUGH = 2026  # the last year of State Council holiday notices the tests were worked out on


@pytest.fixture(autouse=True)
def _calendar_as_published(monkeypatch):
    """Every hand-worked date in the suite was checked against the notices published up to 2026. When a
    later chinese-calendar release learns 2027, the tests must still mean what they say: years after
    PUBLISHED_THROUGH stay "beyond the calendar" (Monday–Friday, flagged) for the package data."""
    import chinese_calendar

    from huiyin.core import workdays

    real = chinese_calendar.is_workday

    def is_workday(day):
        if day.year > PUBLISHED_THROUGH:
            raise NotImplementedError(f"no holiday data for {day.year} in the tests' calendar")
        return real(day)

    monkeypatch.setattr(workdays.chinese_calendar, "is_workday", is_workday)
    workdays._package_is_workday.cache_clear()
    yield
    workdays._package_is_workday.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The holiday calendar is cached; a rolled-back override must not leak into the next test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """A transactional test before this one may have flushed the database with post_migrate inhibited
    (serialized rollback): put the rule profiles, taxonomy and templates back before it runs."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from huiyin.core.seeds import restore_reference_data

        restore_reference_data()
