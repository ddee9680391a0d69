"""Pluggable delivery backends for SMS and e-mail (SPEC §3.10). Chosen by dotted path in settings:

    HUIYIN_NOTIFY_SMS_BACKEND    default huiyin.notify.backends.ConsoleBackend
    HUIYIN_NOTIFY_EMAIL_BACKEND  default huiyin.notify.backends.ConsoleBackend

A backend raises `DeliveryError` (or anything else) when the message did not go out; the caller
records the failure and retries later. Backends never touch the database.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from huiyin.core import timeutil
from huiyin.notify.choices import Medium

DEFAULT_BACKEND = "huiyin.notify.backends.ConsoleBackend"
log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The backend could not hand the message over; it will be retried."""


@dataclass(frozen=True)
class Message:
    medium: str
    recipient: str
    subject: str
    body: str


class Backend(ABC):
    @abstractmethod
    def send(self, message: Message) -> None:
        """Hand `message` over for delivery or raise."""


class ConsoleBackend(Backend):
    """Development default: write the message to standard output."""

    def send(self, message: Message) -> None:
        sys.stdout.write(f"[{message.medium} → {message.recipient}] {message.subject}\n{message.body}\n\n")
        sys.stdout.flush()


class FileBackend(Backend):
    """Append each message as one JSON line to HUIYIN_NOTIFY_FILE (default var/notifications.jsonl)."""

    _lock = threading.Lock()

    def send(self, message: Message) -> None:
        path = Path(getattr(settings, "HUIYIN_NOTIFY_FILE", settings.VAR_DIR / "notifications.jsonl"))
        line = json.dumps({"at": timeutil.now().isoformat(), **message.__dict__}, ensure_ascii=False)
        with self._lock, path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


class LocmemBackend(Backend):
    """For tests: keep messages in `LocmemBackend.outbox`."""

    outbox: list[Message] = []

    def send(self, message: Message) -> None:
        LocmemBackend.outbox.append(message)


class EmailBackend(Backend):
    """E-mail through Django's mail system: SMTP with EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, … ."""

    def send(self, message: Message) -> None:
        if message.medium != Medium.EMAIL:
            raise DeliveryError("EmailBackend only sends e-mail")
        sent = send_mail(
            message.subject,
            message.body,
            getattr(settings, "DEFAULT_FROM_EMAIL", None),
            [message.recipient],
            fail_silently=False,
        )
        if sent != 1:
            raise DeliveryError("the mail server accepted no message")


class SmsGateway(Backend):
    """The SMS gateway interface: implement `submit(phone, text)` for an operator's gateway.

    Texts are plain (no subject); one call per message; raise DeliveryError on refusal.
    """

    def send(self, message: Message) -> None:
        if message.medium != Medium.SMS:
            raise DeliveryError("an SMS gateway only sends SMS")
        self.submit(message.recipient, message.body)

    @abstractmethod
    def submit(self, phone: str, text: str) -> None: ...


class HttpSmsGateway(SmsGateway):
    """An SMS gateway reached by HTTP POST of JSON {"phone", "text", "sign"} on the intranet.

    Settings: HUIYIN_SMS_GATEWAY_URL (required), HUIYIN_SMS_GATEWAY_TOKEN (sent as a Bearer token),
    HUIYIN_SMS_SIGN (the registered sender signature, default 回音信访), HUIYIN_SMS_GATEWAY_TIMEOUT
    (seconds, default 10). Any 2xx answer counts as accepted.
    """

    def __init__(self) -> None:
        self.url = str(getattr(settings, "HUIYIN_SMS_GATEWAY_URL", ""))
        self.token = str(getattr(settings, "HUIYIN_SMS_GATEWAY_TOKEN", ""))
        self.sign = str(getattr(settings, "HUIYIN_SMS_SIGN", "回音信访"))
        self.timeout = float(getattr(settings, "HUIYIN_SMS_GATEWAY_TIMEOUT", 10))

    def request_for(self, phone: str, text: str) -> urllib.request.Request:
        body = json.dumps({"phone": phone, "text": text, "sign": self.sign}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return urllib.request.Request(self.url, data=body, headers=headers, method="POST")

    def submit(self, phone: str, text: str) -> None:
        if not self.url:
            raise DeliveryError("HUIYIN_SMS_GATEWAY_URL is not set")
        try:
            with urllib.request.urlopen(self.request_for(phone, text), timeout=self.timeout) as response:
                status = response.status
        except OSError as exc:
            raise DeliveryError(f"SMS gateway unreachable: {exc}") from exc
        if not 200 <= status < 300:
            raise DeliveryError(f"SMS gateway answered HTTP {status}")


def backend_for(medium: str) -> tuple[str, Backend]:
    """The configured backend for a medium, as (dotted path, instance)."""
    name = "HUIYIN_NOTIFY_SMS_BACKEND" if medium == Medium.SMS else "HUIYIN_NOTIFY_EMAIL_BACKEND"
    path = str(getattr(settings, name, DEFAULT_BACKEND))
    backend: Any = import_string(path)()
    return path, backend
