"""Writes of the citizen portal: submit a petition, prove it is yours, act on it, sign in by code.

Registration itself is `cases.services.case_register` (channel "online"); the petitioner's own acts
are the workflow services with a `CitizenActor`, called only after `tracking_verify` succeeded.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.crypto import salted_hmac

from huiyin.cases.choices import Channel, ContactState
from huiyin.cases.models import Case, CasePetitioner
from huiyin.cases.services import CaseIn, party_contact_verify
from huiyin.core import timeutil
from huiyin.core.errors import ValidationFailed
from huiyin.intake.services import case_register
from huiyin.notify.choices import Medium, MessageKind
from huiyin.notify.models import CaseContact
from huiyin.org.models import Territory
from huiyin.portal.models import LoginCode, TrackingSecret
from huiyin.portal.selectors import office_for

# Crockford base32 without look-alikes: easy to copy from paper or read over the phone.
_SECRET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
SECRET_LENGTH = 10
CODE_TTL = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
MSG_NO_OFFICE = "系统尚未设置受理网上信访的信访部门，请通过来信、来电或走访反映"


def _hash(value: str, purpose: str) -> str:
    return salted_hmac(f"huiyin.portal.{purpose}", value.strip().upper(), algorithm="sha256").hexdigest()


def new_secret() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


@dataclass(frozen=True)
class Receipt:
    case: Case
    secret: str | None  # None when a retried submission returned the first case
    created: bool


def portal_submit(
    *,
    data: CaseIn,
    territory: Territory | None,
    email: str = "",
    idempotency_key: str,
    attachments: list[UploadedFile] | None = None,
) -> Receipt:
    """Register an online petition at the petition office of the chosen place and issue the receipt's
    second factor. A retried submission (same key) returns the first case and no new secret."""
    office = office_for(territory)
    if office is None:
        raise ValidationFailed(MSG_NO_OFFICE)
    data.channel = Channel.ONLINE
    data.territory_id = territory.pk if territory else None
    secret = new_secret()
    with transaction.atomic():
        case, created = case_register(
            data=data,
            office=office,
            actor=None,
            idempotency_key=f"portal:{idempotency_key}",
            attachments=attachments,
        )
        if not created:
            return Receipt(case, None, False)
        _store_secret(case, secret)
        if email:
            CaseContact.objects.create(case=case, medium=Medium.EMAIL, address=email.strip().lower())
    return Receipt(case, secret, True)


def _store_secret(case: Case, secret: str) -> TrackingSecret:
    record, _created = TrackingSecret.objects.update_or_create(
        case=case, defaults={"secret_hash": _hash(secret, "secret"), "created_at": timeutil.now()}
    )
    return record


def tracking_secret_issue(*, case: Case) -> str:
    """Issue the receipt's 查询码 for a case registered by any channel (walk-in, letter, phone, API) and
    return it, to be printed once on the receipt: with the case code it is all a person needs to
    track the case, phone or none. A case that had one gets a new one and the old one stops working
    (a petitioner who lost the receipt); the consent to publish the reply is kept."""
    secret = new_secret()
    _store_secret(case, secret)
    return secret


def tracking_secret_first(*, case: Case, secret: str) -> TrackingSecret:
    """Store the 查询码 of a case registered in the current transaction (it has none yet): one INSERT,
    where `tracking_secret_issue` looks for an old one first (issue 15's lean intake)."""
    return TrackingSecret.objects.create(
        case=case, secret_hash=_hash(secret, "secret"), created_at=timeutil.now()
    )


def _phone_tails(case: Case) -> list[str]:
    """The last four digits of the phones this case's own submission carried (issue 9, hole 1)."""
    return [phone[-4:] for phone in case.parties.values_list("phone", flat=True) if len(phone) >= 4]


def tracking_verify(code: str, factor: str) -> Case | None:
    """The case if `factor` is its receipt secret or the last four digits of a petitioner's phone.

    The same None for a wrong code and a wrong factor, with comparable work on both paths.
    """
    code = (code or "").strip().upper()
    factor = (factor or "").strip().upper().replace(" ", "").replace("-", "")
    case = Case.objects.filter(code=code).select_related("tracking_secret").first() if code else None
    candidate = _hash(factor, "secret")
    if case is None or not factor:
        hmac.compare_digest(candidate, "0" * 64)
        return None
    stored = getattr(case, "tracking_secret", None)
    if stored is not None and hmac.compare_digest(candidate, stored.secret_hash):
        return case
    if len(factor) == 4 and factor.isascii() and factor.isdigit():
        for tail in _phone_tails(case):
            if hmac.compare_digest(tail, factor):
                return case
    return None


def consent_set(*, case: Case, consent: bool) -> TrackingSecret:
    """The petitioner agrees (or no longer agrees) to publish the reply anonymised."""
    record, _created = TrackingSecret.objects.get_or_create(
        case=case, defaults={"secret_hash": "", "created_at": timeutil.now()}
    )
    record.publish_consent = consent
    record.consent_at = timeutil.now() if consent else None
    record.save(update_fields=["publish_consent", "consent_at"])
    return record


def normalise_address(address: str) -> tuple[str, str] | None:
    """(medium, address) for a phone number or an e-mail address, or None if it is neither."""
    address = (address or "").strip()
    if "@" in address and "." in address.split("@")[-1] and " " not in address:
        return Medium.EMAIL, address.lower()
    digits = address.replace(" ", "").replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if len(digits) == 11 and digits.isascii() and digits.isdigit() and digits.startswith("1"):
        return Medium.SMS, digits
    return None


def login_code_send(*, medium: str, address: str) -> None:
    """Send a six-digit one-time code to the address through the notification backend."""
    from huiyin.notify.services import enqueue_delivery, notification_direct

    code = f"{secrets.randbelow(10**6):06d}"
    now = timeutil.now()
    LoginCode.objects.filter(address=address, used=False).update(used=True)
    record = LoginCode.objects.create(
        address=address, code_hash=_hash(code, "login"), created_at=now, expires_at=now + CODE_TTL
    )
    n = notification_direct(
        kind=MessageKind.LOGIN_CODE,
        medium=medium,
        recipient=address,
        context={"login_code": code},
        dedupe=f"login:{record.pk}",
    )
    if n is not None:
        enqueue_delivery([n])


def login_code_verify(*, address: str, code: str) -> bool:
    """True once for the latest unexpired code of `address`; five wrong tries spend the code."""
    record = LoginCode.objects.filter(address=address, used=False).order_by("-created_at").first()
    if record is None or record.expires_at < timeutil.now():
        return False
    ok = hmac.compare_digest(record.code_hash, _hash(code or "", "login"))
    record.attempts += 1
    record.used = ok or record.attempts >= CODE_MAX_ATTEMPTS
    record.save(update_fields=["attempts", "used"])
    return ok


# --- proving the phone on record (issue 9, hole 1) ----------------------------------------------


def proof_parties(case: Case) -> list[CasePetitioner]:
    """The case's petitioners who gave an ID number and a phone: each may prove an earlier phone.

    Offered whether or not the ID number is known, so the page never tells a visitor that the
    person behind an ID number has petitioned before."""
    return list(case.parties.select_related("petitioner").exclude(petitioner__id_number="").exclude(phone=""))


def contact_proof_send(*, party: CasePetitioner, old_phone: str) -> bool:
    """Send a one-time code to `old_phone` if it is the phone on record for the party's ID number and
    differs from the phone this case carried; True if a code went out. The caller answers the same
    either way (no oracle for someone's phone number)."""
    parsed = normalise_address(old_phone)
    if (
        parsed is None
        or party.contact_state != ContactState.UNVERIFIED
        or not party.petitioner.phone
        or not hmac.compare_digest(parsed[1], party.petitioner.phone)
    ):
        return False
    login_code_send(medium=parsed[0], address=parsed[1])
    return True


def contact_proof_confirm(*, party: CasePetitioner, code: str) -> bool:
    """If `code` is the one sent to the phone on record, the person controls it: make this case's
    contact theirs (audited by `party_contact_verify`, via "otp"). False for a wrong or spent code."""
    parsed = normalise_address(party.petitioner.phone)
    if parsed is None or party.contact_state != ContactState.UNVERIFIED:
        return False
    if not login_code_verify(address=parsed[1], code=code):
        return False
    party_contact_verify(party=party, actor=None, via="otp")
    return True
