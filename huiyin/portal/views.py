"""The citizen portal (SPEC §3.9): submit, receipt, tracking, the citizen's case page, sign-in by
one-time code, and the public transparency pages. Chinese first; English through Django i18n.

A case page opens only after the tracking code and its second factor were verified in this session
(or the signed-in phone/e-mail belongs to the case). Wrong code and wrong factor get one answer.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huiyin.cases import documents
from huiyin.cases.choices import PetitionType, Status
from huiyin.cases.models import Case
from huiyin.core.errors import ApplicationError
from huiyin.org.selectors import Rule, rules_for
from huiyin.portal import selectors, services, throttle
from huiyin.portal.forms import (
    AccountForm,
    CodeForm,
    ConsentForm,
    RateForm,
    RetaliationForm,
    ReviewRequestForm,
    SubmitForm,
    max_file_bytes,
    max_files,
)
from huiyin.portal.models import OfficeInfo, TrackingSecret
from huiyin.workflow import services as wf
from huiyin.workflow.choices import ClockKind
from huiyin.workflow.services import CitizenActor, allowed_actions
from huiyin.workflow.transitions import Action

SESSION_VERIFIED = "portal_verified"
SESSION_RECEIPT = "portal_receipt"
SESSION_CONTACT = "portal_contact"
SESSION_PENDING = "portal_pending_address"
SESSION_PROOF = "portal_contact_proof"  # {"code": case code, "party": party id} awaiting its code


def _limited(
    request: HttpRequest, limited: throttle.Limited, template: str, context: dict[str, Any]
) -> HttpResponse:
    context["limited"] = _("操作过于频繁，请%(m)s分钟后再试。") % {"m": limited.minutes}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


def _verified_codes(request: HttpRequest) -> list[str]:
    return list(request.session.get(SESSION_VERIFIED, []))


def _remember(request: HttpRequest, case: Case) -> None:
    codes = _verified_codes(request)
    if case.code not in codes:
        codes.append(case.code)
    request.session[SESSION_VERIFIED] = codes[-20:]
    request.session.cycle_key()  # a new session id once someone proved a case is theirs


def _my_case(request: HttpRequest, code: str) -> Case | None:
    """The case if this session proved it is the petitioner's; None otherwise (same for missing)."""
    code = code.upper()
    if code in _verified_codes(request):
        return (
            Case.objects.select_related("office", "handling_unit", "category", "territory")
            .filter(code=code)
            .first()
        )
    contact = request.session.get(SESSION_CONTACT)
    if contact:
        for case in selectors.cases_for_contact(contact):
            if case.code == code:
                return case
    return None


# --- public pages ------------------------------------------------------------------------------


def _office_rules() -> dict[str, Rule]:
    """The rules in force where the default office is (its province's profile), for general texts."""
    office = selectors.default_office()
    return {key.value: rule for key, rule in rules_for(office.territory if office else None).items()}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"nav": "home", "rules": _office_rules()})


@require_GET
def channels(request: HttpRequest) -> HttpResponse:
    context = {
        "nav": "channels",
        "offices": selectors.public_offices(),
        # the shipped default hours are translated on the English page; an office's own text is data
        "default_hours": OfficeInfo._meta.get_field("reception_hours").default,
    }
    return render(request, "portal/channels.html", context)


@require_GET
def procedure(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/procedure.html", {"nav": "procedure", "rules": _office_rules()})


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/statistics.html", {"nav": "statistics", "stats": selectors.public_statistics()}
    )


@require_GET
def replies(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/replies.html", {"nav": "replies", "replies": selectors.published_replies()}
    )


@require_GET
def language(request: HttpRequest, code: str) -> HttpResponse:
    """Switch the portal's language (a preference cookie, as Django's set_language sets it)."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next") or reverse("portal_home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("portal_home")
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 86400, samesite="Lax")
    translation.activate(code)
    return response


# --- submit and receipt ------------------------------------------------------------------------


def _submit_context(form: SubmitForm) -> dict[str, Any]:
    return {
        "nav": "submit",
        "form": form,
        "max_mb": max_file_bytes() // (1024 * 1024),
        "max_files": max_files(),
    }


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = SubmitForm(initial={"idempotency_key": uuid.uuid4().hex})
        return render(request, "portal/submit.html", _submit_context(form))
    form = SubmitForm(request.POST, request.FILES)
    ip = throttle.client_ip(request)
    limited = throttle.hit("submit_ip", ip)
    if limited:
        return _limited(request, limited, "portal/submit.html", _submit_context(form))
    if form.is_bot:
        form.add_error(None, _("提交未成功，请刷新页面后重试。"))
        return render(request, "portal/submit.html", _submit_context(form), status=400)
    if not form.is_valid():
        return render(request, "portal/submit.html", _submit_context(form), status=400)
    phone = form.cleaned_data["phone"]
    limited = throttle.hit("submit_phone", phone) if phone else None
    if limited:
        return _limited(request, limited, "portal/submit.html", _submit_context(form))
    try:
        receipt = services.portal_submit(
            data=form.case_in(),
            territory=form.territory_obj(),
            email=form.cleaned_data["email"],
            idempotency_key=form.cleaned_data["idempotency_key"],
            attachments=form.cleaned_data["attachments"],
        )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return render(request, "portal/submit.html", _submit_context(form), status=400)
    held = request.session.get(SESSION_RECEIPT) or {}
    if not receipt.created:
        # A replayed form (its idempotency key was used): the earlier case opens only for the session
        # that already holds it. Anyone else who has the page (a shared computer, a captured form) is
        # told it was submitted and gets neither its code nor its details (条例 §30¶3, 个人信息依法保密).
        if held.get("code") != receipt.case.code and receipt.case.code not in _verified_codes(request):
            return render(request, "portal/submit_replayed.html", {"nav": "submit"}, status=409)
        if held.get("code") != receipt.case.code:
            request.session[SESSION_RECEIPT] = {"code": receipt.case.code, "secret": None}
        return redirect("portal_receipt")
    request.session[SESSION_RECEIPT] = {"code": receipt.case.code, "secret": receipt.secret}
    _remember(request, receipt.case)
    return redirect("portal_receipt")


@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    held = request.session.get(SESSION_RECEIPT)
    if not held:
        return redirect("portal_track")
    case = Case.objects.select_related("office").filter(code=held["code"]).first()
    if case is None:
        return redirect("portal_track")
    # Shown once: the secret leaves the session as soon as this page has it.
    secret = held.get("secret")
    request.session[SESSION_RECEIPT] = {"code": case.code, "secret": None}
    rules = {key.value: rule for key, rule in wf.rules_for_case(case).items()}  # the case's own profile
    return render(
        request, "portal/receipt.html", {"case": case, "secret": secret, "rules": rules, "nav": "submit"}
    )


# --- tracking and the citizen's case page ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    from huiyin.portal.forms import TrackForm

    if request.method == "GET":
        form = TrackForm(initial={"code": request.GET.get("code", "")[:24]})
        return render(request, "portal/track.html", {"form": form, "nav": "track"})
    form = TrackForm(request.POST)
    context = {"form": form, "nav": "track"}
    if not form.is_valid():
        return render(request, "portal/track.html", context, status=400)
    code = form.cleaned_data["code"].strip().upper()
    limited = throttle.hit("track_ip", throttle.client_ip(request)) or throttle.hit("track_code", code)
    if limited:
        return _limited(request, limited, "portal/track.html", context)
    case = services.tracking_verify(code, form.cleaned_data["factor"])
    if case is None:
        # The same words whether the code exists or not: codes cannot be probed.
        context["failed"] = _("编号或查询码不正确，请核对回执后重试。")
        return render(request, "portal/track.html", context, status=400)
    _remember(request, case)
    return redirect("portal_case", code=case.code)


def _citizen_actions(case: Case) -> set[Action]:
    return set(allowed_actions(case, CitizenActor()))  # type: ignore[arg-type]


def _case_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    actions = _citizen_actions(case)
    consent = TrackingSecret.objects.filter(case=case).values_list("publish_consent", flat=True).first()
    return {
        "nav": "track",
        "case": case,
        "status": selectors.case_status_label(case),
        "timeline": selectors.citizen_timeline(case),
        "clocks": selectors.citizen_clocks(case),
        "opinions": selectors.delivered_opinions(case),
        "can_rate": Action.RATE in actions,
        "can_review": Action.REQUEST_REVIEW in actions,
        "can_rereview": Action.REQUEST_REREVIEW in actions,
        "review_due": selectors.window_due(case, ClockKind.REVIEW_WINDOW),
        "rereview_due": selectors.window_due(case, ClockKind.REREVIEW_WINDOW),
        "rate_form": extra.pop("rate_form", None) or RateForm(),
        "review_form": extra.pop("review_form", None) or ReviewRequestForm(),
        "consent_form": ConsentForm(initial={"consent": bool(consent)}),
        "consent": bool(consent),
        "may_publish": case.petition_type != PetitionType.ACCUSATION,
        "answered": case.status not in (Status.REGISTERED, Status.ACCEPTED, Status.IN_HANDLING),
        "proof_parties": services.proof_parties(case),
        "proof_pending": (request.session.get(SESSION_PROOF) or {}).get("code") == case.code,
        **extra,
    }


def _not_yours(request: HttpRequest, code: str) -> HttpResponse:
    return redirect(f"{reverse('portal_track')}?code={code[:24]}")


@require_GET
def case_page(request: HttpRequest, code: str) -> HttpResponse:
    case = _my_case(request, code)
    if case is None:
        return _not_yours(request, code)
    return render(request, "portal/case.html", _case_context(request, case))


def _act(request: HttpRequest, case: Case, fn: Any, done: str, **kwargs: Any) -> HttpResponse | None:
    try:
        fn(case=case, actor=CitizenActor(via="portal"), **kwargs)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, done)
    return redirect("portal_case", code=case.code)


@require_POST
def case_rate(request: HttpRequest, code: str) -> HttpResponse:
    case = _my_case(request, code)
    if case is None:
        return _not_yours(request, code)
    form = RateForm(request.POST)
    if form.is_valid():
        done = _act(
            request,
            case,
            wf.case_rate,
            _("已提交评价，谢谢您。"),
            rating=form.cleaned_data["rating"],
            solved=form.cleaned_data["solved"],
            comment=form.cleaned_data["comment"],
        )
        if done:
            return done
    return render(request, "portal/case.html", _case_context(request, case, rate_form=form), status=400)


@require_POST
def case_review(request: HttpRequest, code: str) -> HttpResponse:
    """Ask for 复查 (or 复核 after a 复查 answer) within the window (条例 §35, §36)."""
    case = _my_case(request, code)
    if case is None:
        return _not_yours(request, code)
    form = ReviewRequestForm(request.POST)
    if form.is_valid():
        if case.status == Status.REVIEW_REPLIED:
            fn, done = wf.case_request_rereview, _("已提交复核请求。")
        else:
            fn, done = wf.case_request_review, _("已提交复查请求。")
        response = _act(request, case, fn, done, reason=form.cleaned_data["reason"])
        if response:
            return response
    return render(request, "portal/case.html", _case_context(request, case, review_form=form), status=400)


@require_http_methods(["GET", "POST"])
def case_retaliation(request: HttpRequest, code: str) -> HttpResponse:
    """CF-3 (条例 §18¶4, §46(六)): the petitioner reports retaliation for this petition. It becomes an
    accusation of its own, handled outside the accused's chain; the original case shows nothing of it
    (its handling unit may be the one accused)."""
    from huiyin.intake.services import retaliation_report

    case = _my_case(request, code)
    if case is None:
        return _not_yours(request, code)
    handling = case.handling_unit
    unit_name = handling.name if handling is not None else ""
    if request.method == "GET":
        form = RetaliationForm(handling_unit_name=unit_name, initial={"idempotency_key": uuid.uuid4().hex})
        return render(request, "portal/retaliation.html", {"nav": "track", "case": case, "form": form})
    form = RetaliationForm(request.POST, handling_unit_name=unit_name)
    if form.is_valid():
        d = form.cleaned_data
        against_handling = d["against"] == "handling" and handling is not None
        try:
            report, _created = retaliation_report(
                original=case,
                channel="online",
                content=d["content"],
                accused_unit=handling if against_handling else None,
                accused_person=d.get("accused_person", ""),
                # scoped to this case: a key typed into the form never answers with another case
                idempotency_key=f"retaliation:{case.pk}:{d['idempotency_key']}",
            )
            if report.retaliation_of_id != case.pk:
                raise Http404
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            _remember(request, report)  # the person may follow the new case as their own
            messages.success(
                request, _("已登记您反映的打击报复问题，受理凭证编号：%(code)s。") % {"code": report.code}
            )
            return redirect("portal_case", code=report.code)
    context = {"nav": "track", "case": case, "form": form}
    return render(request, "portal/retaliation.html", context, status=400)


@require_POST
def case_consent(request: HttpRequest, code: str) -> HttpResponse:
    case = _my_case(request, code)
    if case is None:
        return _not_yours(request, code)
    if case.petition_type == PetitionType.ACCUSATION:
        raise Http404  # accusations are never published (条例 §30¶3)
    form = ConsentForm(request.POST)
    consent = form.is_valid() and form.cleaned_data["consent"]
    services.consent_set(case=case, consent=consent)
    messages.success(request, _("已记录：同意公开。") if consent else _("已记录：不公开。"))
    return redirect("portal_case", code=case.code)


@require_POST
def case_contact(request: HttpRequest, code: str) -> HttpResponse:
    """Prove an earlier phone for this case's ID number, so the phone this case carried becomes the
    person's contact (issue 9, hole 1).

    step=send with the earlier phone: a code goes to it only if it is the phone on record (rate
    limited like sign-in codes), and the answer is the same either way; step=confirm: the right code
    makes the case's contact the person's. Whoever merely typed an ID number never gets that code."""
    case = _my_case(request, code)
    if case is None:
        return _not_yours(request, code)
    parties = {p.pk: p for p in services.proof_parties(case)}
    if request.POST.get("step") == "confirm":
        pending = request.session.get(SESSION_PROOF) or {}
        party = parties.get(int(pending.get("party") or 0)) if pending.get("code") == case.code else None
        form = CodeForm(request.POST)
        if (
            party is not None
            and pending.get("sent")
            and form.is_valid()
            and services.contact_proof_confirm(party=party, code=form.cleaned_data["code"])
        ):
            request.session.pop(SESSION_PROOF, None)
            messages.success(request, _("已确认：本件留下的手机号已设为您的联系方式。"))
        else:
            messages.error(request, _("验证码不正确或已过期"))
        return redirect("portal_case", code=case.code)
    party_id = request.POST.get("party", "")
    party = parties.get(int(party_id)) if party_id.isascii() and party_id.isdigit() else None
    parsed = services.normalise_address(request.POST.get("old_phone", ""))
    if party is None or parsed is None or parsed[0] != "sms":
        messages.error(request, _("请填写11位手机号码"))
        return redirect("portal_case", code=case.code)
    limited = throttle.hit("code_ip", throttle.client_ip(request)) or throttle.hit("code_address", parsed[1])
    if limited:
        return _limited(request, limited, "portal/case.html", _case_context(request, case))
    sent = services.contact_proof_send(party=party, old_phone=parsed[1])
    request.session[SESSION_PROOF] = {"code": case.code, "party": party.pk, "sent": sent}
    messages.info(request, _("如果该号码是此身份证号登记的手机号，验证码已发送至该号码，请在10分钟内填写。"))
    return redirect("portal_case", code=case.code)


def _opinion(request: HttpRequest, code: str, pk: int) -> Any:
    case = _my_case(request, code)
    if case is None:
        return None
    opinion = case.opinions.select_related("issued_unit").filter(pk=pk, delivered_on__isnull=False).first()
    if opinion is not None:
        opinion.case = case
    return opinion


@require_GET
def opinion_print(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    opinion = _opinion(request, code, pk)
    if opinion is None:
        return _not_yours(request, code)
    doc = documents.opinion_sections(opinion)
    return render(request, "portal/opinion.html", {"opinion": opinion, "doc": doc, "nav": "track"})


@require_GET
def opinion_docx(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    opinion = _opinion(request, code, pk)
    if opinion is None:
        return _not_yours(request, code)
    response = HttpResponse(documents.opinion_docx(opinion), content_type=documents.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, documents.opinion_filename(opinion))
    return response


# --- optional accounts: one-time codes ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    contact = request.session.get(SESSION_CONTACT)
    if contact:
        cases = selectors.cases_for_contact(contact)
        rows = [{"case": c, "status": selectors.case_status_label(c)} for c in cases]
        return render(request, "portal/account.html", {"contact": contact, "rows": rows, "nav": "account"})
    form = AccountForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "nav": "account"}
    if request.method == "GET" or not form.is_valid():
        return render(
            request, "portal/account_start.html", context, status=200 if request.method == "GET" else 400
        )
    parsed = services.normalise_address(form.cleaned_data["address"])
    if parsed is None:
        form.add_error("address", _("请填写11位手机号码或有效的电子邮箱"))
        return render(request, "portal/account_start.html", context, status=400)
    medium, address = parsed
    limited = throttle.hit("code_ip", throttle.client_ip(request)) or throttle.hit("code_address", address)
    if limited:
        return _limited(request, limited, "portal/account_start.html", context)
    services.login_code_send(medium=medium, address=address)
    request.session[SESSION_PENDING] = address
    return redirect("portal_account_code")


@require_http_methods(["GET", "POST"])
def account_code(request: HttpRequest) -> HttpResponse:
    address = request.session.get(SESSION_PENDING)
    if not address:
        return redirect("portal_account")
    form = CodeForm(request.POST or None)
    context = {"form": form, "nav": "account"}
    if request.method == "POST" and form.is_valid():
        if services.login_code_verify(address=address, code=form.cleaned_data["code"]):
            request.session.cycle_key()
            request.session[SESSION_CONTACT] = address
            request.session.pop(SESSION_PENDING, None)
            return redirect("portal_account")
        form.add_error("code", _("验证码不正确或已过期"))
    return render(
        request, "portal/account_code.html", context, status=200 if request.method == "GET" else 400
    )


@require_POST
def account_logout(request: HttpRequest) -> HttpResponse:
    for key in (SESSION_CONTACT, SESSION_VERIFIED, SESSION_PENDING, SESSION_RECEIPT, SESSION_PROOF):
        request.session.pop(key, None)
    return redirect("portal_home")
