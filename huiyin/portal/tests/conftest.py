import uuid

import pytest

from huiyin.notify.backends import LocmemBackend


@pytest.fixture
def outbox(settings):
    settings.HUIYIN_NOTIFY_SMS_BACKEND = "huiyin.notify.backends.LocmemBackend"
    settings.HUIYIN_NOTIFY_EMAIL_BACKEND = "huiyin.notify.backends.LocmemBackend"
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}
    }
    LocmemBackend.outbox = []
    yield LocmemBackend.outbox
    LocmemBackend.outbox = []


@pytest.fixture
def petition(org):
    """Form data for a complaint from 刘群众 about a leak in 柳林村."""

    def make(**overrides):
        data = {
            "petition_type": "complaint",
            "title": "楼道漏水无人维修",
            "content": "我家所在小区3栋楼道漏水半年，多次找物业无果。",
            "request": "请督促物业维修",
            "territory": str(org.village.pk),
            "address": "柳林村3组",
            "name": "刘群众",
            "phone": "13800001234",
            "truthful": "on",
            "idempotency_key": uuid.uuid4().hex,
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return make


@pytest.fixture
def submitted(client, petition):
    """Submit through the portal; return (case, secret) as the receipt showed them."""
    from huiyin.cases.models import Case

    def make(**overrides):
        response = client.post("/public/submit/", petition(**overrides))
        assert response.status_code == 302, response.content.decode()[:3000]
        receipt = client.get("/public/receipt/")
        secret = receipt.context["secret"]
        return Case.objects.get(code=receipt.context["case"].code), secret

    return make
