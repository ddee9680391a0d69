import pytest

from huiyin.notify.backends import LocmemBackend

LOCMEM = "huiyin.notify.backends.LocmemBackend"
IMMEDIATE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}
}


@pytest.fixture
def outbox(settings):
    """Messages go to a list; delivery tasks run at once (as the worker would run them)."""
    settings.HUIYIN_NOTIFY_SMS_BACKEND = LOCMEM
    settings.HUIYIN_NOTIFY_EMAIL_BACKEND = LOCMEM
    settings.TASKS = IMMEDIATE
    LocmemBackend.outbox = []
    yield LocmemBackend.outbox
    LocmemBackend.outbox = []


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the signal that queues notifications) inside the test transaction."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
