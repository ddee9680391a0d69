"""The staff desk (HTML): the workbench's queues, intake at the window, the case page, receipts,
opinions and search — the top of the staff side, above the workflow, supervision and the portal's
receipt secret (issue 10, ADR 0008).

Views are thin: reads go through selectors (always scoped to the user), writes through services,
and the actions offered on a case come only from `workflow.services.allowed_actions`.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huiyin.cases import documents, selectors
from huiyin.cases.audit import audit_identity_search
from huiyin.cases.confidentiality import may_see_identity
from huiyin.cases.exports import FULL_IDENTITY_PARAM, case_list_export
from huiyin.cases.forms import CaseForm, PetitionerFormSet, apply_field_errors, case_in_from, flag_invalid
from huiyin.cases.models import Case, Opinion, mask_id_number, mask_phone
from huiyin.cases.services import may_verify_contact, party_contact_verify
from huiyin.cases.web import case_or_404
from huiyin.core import net, registry
from huiyin.core.audit import mask
from huiyin.core.errors import ApplicationError, NotFound, ValidationFailed
from huiyin.core.middleware import MSG_STORE_DOWN
from huiyin.core.models import AuditEntry
from huiyin.core.xlsx import mask_name
from huiyin.desk.paging import capped_count, keyset_paginate, page_rows
from huiyin.intake.services import case_register
from huiyin.org import roles
from huiyin.org.choices import UnitKind
from huiyin.org.views import nav_context
from huiyin.portal.services import tracking_secret_issue
from huiyin.workflow.services import rules_for_case
from huiyin.workflow.web import case_context

logger = logging.getLogger(__name__)


MSG_NOT_INTAKE = "您的岗位不能登记信访事项"


MSG_ATTACHMENT_MISSING = "附件文件缺失：存储中找不到该文件，请联系管理员从备份恢复（huiyin restore）。"


MSG_NOT_VERIFIER = "只有登记该事项的信访部门的接待或分办人员可以核实联系方式"


MSG_NOT_REISSUER = "只有登记该事项的信访部门的登记人员可以重新生成查询码"


# The 查询码 of a case just registered at the window, held until its receipt is printed (shown once).
SESSION_RECEIPT_SECRET = "huiyin.staff_receipt_secret"


MSG_BAD_EXPORT = "无法导出：不支持的导出格式或参数"

EXPORT_FORMAT = "xlsx"  # ?format=xlsx: the list (all of it, not one page) as a .xlsx download


def _export_refused(request: HttpRequest) -> HttpResponse | None:
    """A 400 for a `format` or `identity` the desk's lists do not offer (never a 500, nor the page)."""
    g = request.GET
    if g.get("format") == EXPORT_FORMAT and g.get(FULL_IDENTITY_PARAM, "") in ("", "full"):
        return None
    return render(request, "400.html", {**nav_context(request), "message": MSG_BAD_EXPORT}, status=400)


def default_queue(request: HttpRequest) -> str:
    unit = getattr(request.user, "unit", None)
    return "to_route" if unit is not None and unit.is_petition_office else "my_unit"


@login_required
@require_GET
def workbench(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """工作台: the queues as tabs with counts (capped: "99+"); htmx swaps only the queue area. No COUNT(*)
    over a whole queue (issue 15): the page reads one row ahead (`desk.paging`).

    ?format=xlsx exports the whole queue (issue 11 item 5): the same scoped queryset as the page, so
    the file holds exactly the rows the user may see (条例 §30¶3), identity masked unless
    &identity=full (audited per case, `cases.exports`); bounded by the sheet's MAX_ROWS."""
    name = request.GET.get("queue") or default_queue(request)
    if name not in selectors.queues():
        raise Http404("没有这个工作队列")
    user = request.user
    if "format" in request.GET:
        if refused := _export_refused(request):
            return refused
        label, fn = selectors.queues()[name]
        filename = f"工作队列-{label}"
        return case_list_export(request, fn(user), filename=filename, where="workbench", heading=[filename])
    tabs = [
        {"name": key, "label": label, "count": capped_count(fn(user))}
        for key, (label, fn) in selectors.queues().items()
    ]
    label, fn = selectors.queues()[name]
    page = keyset_paginate(request, fn(user))
    context = {
        **nav_context(request, "workbench"),
        "tabs": tabs,
        "queue": name,
        "queue_label": label,
        "base_query": urlencode({"queue": name}),
        "export_query": urlencode({"format": EXPORT_FORMAT, "queue": name}),
        "page": page,
        "rows": page_rows(page),
    }
    template = "cases/_queue.html" if request.htmx else "cases/workbench.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _intake_context(request: HttpRequest, form: CaseForm, formset: Any, **extra: Any) -> dict[str, Any]:
    flag_invalid(form, *formset.forms)
    return {**nav_context(request, "intake"), "form": form, "formset": formset, **extra}


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """登记: the window form for visits, letters, calls and faxes."""
    if getattr(request.user, "role", None) not in roles.REGISTER:
        return render(request, "403.html", {**nav_context(request), "message": MSG_NOT_INTAKE}, status=403)
    return _intake(request, direct=False)


@login_required
@require_http_methods(["GET", "POST"])
def case_new_direct(request: HttpRequest) -> HttpResponse:
    """登记 by a unit other than the petition office of a petition it received directly (条例 §23¶1,
    RG-3): the same form, registered at the user's own unit, which then handles it, sends it to a unit
    below it, or tells the petitioner where to go (the direct_* actions on the case page)."""
    unit = getattr(request.user, "unit", None)
    if unit is not None and unit.kind == UnitKind.PETITION_OFFICE:
        return redirect("case_new")
    if unit is None or getattr(request.user, "role", None) not in roles.REGISTER_DIRECT:
        return render(request, "403.html", {**nav_context(request), "message": MSG_NOT_INTAKE}, status=403)
    return _intake(request, direct=True)


def _intake(request: HttpRequest, *, direct: bool) -> HttpResponse:
    user = request.user
    if request.method == "GET":
        form = CaseForm(user=user)  # type: ignore[arg-type]
        formset = PetitionerFormSet(prefix="p")
        return render(request, "cases/intake.html", _intake_context(request, form, formset, direct=direct))

    form = CaseForm(request.POST, user=user)  # type: ignore[arg-type]
    formset = PetitionerFormSet(request.POST, prefix="p")
    files = request.FILES.getlist("attachments")
    if "add_row" in request.POST:  # the no-JavaScript way to add a petitioner row
        data = request.POST.copy()
        data["p-TOTAL_FORMS"] = str(int(data.get("p-TOTAL_FORMS", "1")) + 1)
        form = CaseForm(data, user=user)  # type: ignore[arg-type]
        formset = PetitionerFormSet(data, prefix="p")
        form.errors.clear()
        return render(
            request, "cases/intake.html", _intake_context(request, form, formset, quiet=True, direct=direct)
        )
    if not (form.is_valid() and formset.is_valid()):
        return render(
            request,
            "cases/intake.html",
            _intake_context(
                request, form, formset, error="请检查标红的项目", files_dropped=bool(files), direct=direct
            ),
            status=400,
        )
    case_in, rows = case_in_from(form, formset)
    try:
        case, created = case_register(
            data=case_in,
            office=user.unit,  # type: ignore[union-attr, arg-type]
            actor=user,  # type: ignore[arg-type]
            idempotency_key=form.cleaned_data["idempotency_key"],
            attachments=files,
        )
    except ValidationFailed as exc:
        loose = apply_field_errors(form, formset, exc.extra.get("fields", {}), rows)
        context = _intake_context(
            request,
            form,
            formset,
            error=exc.message,
            loose_errors=loose,
            files_dropped=bool(files),
            direct=direct,
        )
        return render(request, "cases/intake.html", context, status=400)
    except ApplicationError as exc:
        context = _intake_context(
            request, form, formset, error=exc.message, files_dropped=bool(files), direct=direct
        )
        return render(request, "cases/intake.html", context, status=exc.status_code)
    # Every receipt carries the 查询码, whatever the channel: with the code it lets a person without a
    # phone track the case on the portal (issue 10 item 7). Printed once; lost, it is reissued.
    secret = tracking_secret_issue(case=case) if created else None
    if created:
        request.session[SESSION_RECEIPT_SECRET] = {"code": case.code, "secret": secret}
        messages.success(
            request, f"已登记。受理凭证编号：{case.code}。请打印受理凭证（含查询码）交给信访人。"
        )
    else:
        messages.info(request, f"该登记已提交过，未重复建件。受理凭证编号：{case.code}")
    if not selectors.visible_to(user).filter(pk=case.pk).exists():  # type: ignore[arg-type]
        # ADR 0005: an accusation against this office went up to the office above; the clerk prints
        # the receipt and sees nothing of the case afterwards (条例 §30¶3).
        request.session.pop(SESSION_RECEIPT_SECRET, None)
        context = {
            **nav_context(request),
            **_receipt_texts(case),
            "case": case,
            "parties": [],
            "moved_up": True,
            "secret": secret,
        }
        return render(request, "cases/receipt.html", context, status=201 if created else 200)
    return redirect("case_detail", code=case.code)


def _mask_query(q: str, kind: str) -> str:
    if kind == "id_number":
        return mask_id_number(q.upper())
    if kind == "phone":
        return mask_phone(q)
    return q[:1] + "＊" * (len(q) - 1)


@login_required
@require_GET
def petitioner_lookup(request: HttpRequest) -> HttpResponse:
    """htmx: petitioners in the user's scope matching a whole ID number, phone or exact name, masked,
    with their earlier cases. Every search is audited; the full data comes only from the reveal."""
    if getattr(request.user, "role", None) not in roles.REGISTER:
        return HttpResponse(status=403)
    q = request.GET.get("lookup", "").strip()[:100]
    kind = selectors.lookup_kind(q)
    people = selectors.find_petitioners(request.user, q) if kind else []  # type: ignore[arg-type]
    history = list(selectors.petitioner_history(request.user, people)[:20]) if people else []  # type: ignore[arg-type]
    if kind:
        # 检索身份信息也须留痕 (SPEC §1.3, issue 9): who searched for whom, by what, and who was found.
        AuditEntry.objects.create(
            kind=AuditEntry.Kind.IDENTITY_SEARCH,
            actor=request.user,  # type: ignore[misc]
            ip_address=net.audit_ip(request),
            detail={"by": kind, "query": _mask_query(q, kind), "petitioners": [p.pk for p in people]},
        )
    context = {"q": q, "kind": kind, "people": people, "history": history}
    return render(request, "cases/_lookup.html", context)


@login_required
@require_POST
def petitioner_reveal(request: HttpRequest, petitioner: int) -> JsonResponse:
    """The 'fill' button: the unmasked identity of one petitioner in the user's scope, audited."""
    if getattr(request.user, "role", None) not in roles.REGISTER:
        return JsonResponse({"message": MSG_NOT_INTAKE, "extra": {}}, status=403)
    try:
        person = selectors.petitioner_for_reveal(request.user, petitioner)  # type: ignore[arg-type]
    except NotFound as exc:
        return JsonResponse({"message": exc.message, "extra": {}}, status=404)
    AuditEntry.objects.create(
        kind=AuditEntry.Kind.IDENTITY_VIEW,
        actor=request.user,  # type: ignore[misc]
        ip_address=net.audit_ip(request),
        detail={
            "lookup": True,
            "petitioners": [person.pk],
            "revealed": [f for f in ("id_number", "phone", "address") if getattr(person, f)],
        },
    )
    return JsonResponse(
        {
            "name": person.name,
            "kind": person.kind,
            "id_number": person.id_number,
            "phone": person.phone,
            "address": person.address,
        }
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    case = case_or_404(request, code)
    # masked: only the explicit "show full identity" (case_parties ?full=1) is a reveal and audited
    parties = selectors.case_parties_masked(request.user, case)  # type: ignore[arg-type]
    context = {
        **case_context(request, case),
        "parties": parties,
        "full_identity": False,
        "identity_withheld": not may_see_identity(request.user, case),  # type: ignore[arg-type]
        "may_verify_contact": may_verify_contact(request.user, case),  # type: ignore[arg-type]
        "module_links": registry.case_links(case, request.user),
    }
    return render(request, "cases/detail.html", context)


@login_required
@require_GET
def case_parties(request: HttpRequest, code: str) -> HttpResponse:
    """htmx: the petitioners with full identity (each look is audited by the selector)."""
    case = case_or_404(request, code)
    full = request.GET.get("full") == "1"
    if full:
        parties = selectors.case_parties_with_audit(request.user, case, ip=net.audit_ip(request))  # type: ignore[arg-type]
    else:
        parties = selectors.case_parties_masked(request.user, case)  # type: ignore[arg-type]
    context = {
        "case": case,
        "parties": parties,
        "full_identity": full,
        "identity_withheld": not may_see_identity(request.user, case),  # type: ignore[arg-type]
        "may_verify_contact": may_verify_contact(request.user, case),  # type: ignore[arg-type]
    }
    return render(request, "cases/_parties.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_party_contact(request: HttpRequest, code: str, party: int) -> HttpResponse:
    """htmx: confirm (GET) and record (POST) that a party's new contact is the person's (audited).

    A submission never changes a stored contact (issue 9, hole 1); this is how staff who checked
    the person (ID card at the window, or a call to the phone on record) make it the person's."""
    case = case_or_404(request, code)
    row = case.parties.select_related("petitioner").filter(pk=party).first()
    if row is None:
        raise Http404("没有这名信访人")
    user = request.user
    allowed = may_verify_contact(user, case)  # type: ignore[arg-type]
    if request.method == "POST" and not allowed:
        return render(request, "403.html", {**nav_context(request), "message": MSG_NOT_VERIFIER}, status=403)
    if request.method == "POST":
        try:
            party_contact_verify(party=row, actor=user, via="staff", ip=net.audit_ip(request))  # type: ignore[arg-type]
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已核实并更新{row.petitioner.name}的联系方式")
        return redirect("case_detail", code=case.code)
    parties = selectors.case_parties_masked(user, case)  # type: ignore[arg-type]
    context = {
        "case": case,
        "parties": parties,
        "full_identity": False,
        "verify": row if allowed else None,
        "verify_refused": "" if allowed else MSG_NOT_VERIFIER,
        "may_verify_contact": allowed,
    }
    return render(request, "cases/_parties.html", context)


def _receipt_texts(case: Case) -> dict[str, Any]:
    """The figures a receipt promises, from the case's own rule profile (浙江: 5个工作日 to route)."""
    return {"rules": {key.value: rule for key, rule in rules_for_case(case).items()}}


def may_reissue_secret(user: Any, case: Case) -> bool:
    """Only the registering office's desks reissue a 查询码 (a new one voids the petitioner's old one)."""
    return roles.has(user, roles.REGISTER) and user.unit_id == case.office_id


@login_required
@require_http_methods(["GET", "POST"])
def case_receipt(request: HttpRequest, code: str) -> HttpResponse:
    """受理凭证: the printable receipt with the case code and the 查询码 (shown once, after registration;
    POST reissues it for a petitioner who lost it, voiding the old one)."""
    case = case_or_404(request, code)
    user = request.user
    secret = None
    if request.method == "POST":
        if not may_reissue_secret(user, case):
            return render(
                request, "403.html", {**nav_context(request), "message": MSG_NOT_REISSUER}, status=403
            )
        secret = tracking_secret_issue(case=case)
        AuditEntry.objects.create(
            kind=AuditEntry.Kind.DOCUMENT,
            actor=user,  # type: ignore[misc]  # login_required: a staff account
            case=case,
            ip_address=net.audit_ip(request),
            detail={"document": "receipt", "tracking_secret": "reissued"},
        )
    else:
        held = request.session.get(SESSION_RECEIPT_SECRET) or {}
        if held.get("code") == case.code:
            secret = held.get("secret")
            del request.session[SESSION_RECEIPT_SECRET]  # shown once: the session forgets it now
    parties = selectors.case_parties_masked(user, case)  # type: ignore[arg-type]  # names only
    context = {
        **nav_context(request),
        **_receipt_texts(case),
        "case": case,
        "parties": parties,
        "secret": secret,
        "may_reissue": may_reissue_secret(user, case),
    }
    return render(request, "cases/receipt.html", context)


@login_required
@require_GET
def attachment_download(request: HttpRequest, code: str, pk: int) -> HttpResponse | FileResponse:
    case = case_or_404(request, code)
    attachment = case.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404("没有这个附件")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, IsADirectoryError):
        # a lost file (a restore without media, a disk fault) is a clear 404, not a 500
        logger.error("attachment %s of case %s is missing on disk", attachment.pk, case.code)
        return render(
            request, "404.html", {**nav_context(request), "message": MSG_ATTACHMENT_MISSING}, status=404
        )
    except OSError:  # the disk or the object store failed (huiyin/core/objectstore.py StoreUnavailable)
        logger.exception("attachment %s of case %s could not be read", attachment.pk, case.code)
        return render(request, "503.html", {**nav_context(request), "message": MSG_STORE_DOWN}, status=503)
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"  # never rendered inline, never sniffed (issue 9, hole 10)
    return response


def opinion_or_404(request: HttpRequest, code: str, pk: int) -> Opinion:
    case = case_or_404(request, code)
    opinion = case.opinions.select_related("issued_unit", "issued_by").filter(pk=pk).first()
    if opinion is None:
        raise Http404("没有这份意见书")
    opinion.case = case
    return opinion


def _audit_document(request: HttpRequest, opinion: Opinion, fmt: str) -> None:
    AuditEntry.objects.create(  # type: ignore[misc]  # signed-in staff only (the view's decorator)
        kind=AuditEntry.Kind.DOCUMENT,
        actor=request.user,
        case=opinion.case,
        ip_address=net.audit_ip(request),
        detail={"opinion": opinion.pk, "stage": opinion.stage, "format": fmt},
    )


@login_required
@require_GET
def opinion_docx(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The 意见书 as a .docx file (every download is written to the audit log)."""
    opinion = opinion_or_404(request, code, pk)
    content = documents.opinion_docx(opinion)
    _audit_document(request, opinion, "docx")
    response = HttpResponse(content, content_type=documents.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=documents.opinion_filename(opinion)
    )
    return response


@login_required
@require_GET
def opinion_print(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The 意见书 as a print view (HTML with print CSS)."""
    opinion = opinion_or_404(request, code, pk)
    _audit_document(request, opinion, "print")
    context = {**nav_context(request), "opinion": opinion, "doc": documents.opinion_sections(opinion)}
    return render(request, "cases/opinion_print.html", context)


def _search_heading(q: str, *, full: bool, by_name: bool) -> str:
    """The file's first line: the query — a phone, an ID number or a petitioner's name masked unless
    the export is in full."""
    shape, key = selectors.search_shape(q)
    if full or shape == "code" or (shape == "text" and not by_name):
        return f"搜索：{key}"
    return f"搜索：{mask_name(key) if by_name else mask(key)}"


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """搜索: by code, phone or ID number (each an exact, indexed lookup: `selectors.search_shape`), or by a
    petitioner's name and words of the title and content; paged without COUNT(*) (issue 15).

    ?format=xlsx exports every result (issue 11 item 5), from the same `search_cases` queryset: an
    accusation the page would not list to the user is not in the file either (条例 §30¶3)."""
    q = request.GET.get("q", "").strip()[:200]
    if "format" in request.GET:
        if refused := _export_refused(request):
            return refused
        user: Any = request.user
        qs = selectors.search_cases(user, q) if q else selectors.case_list(user).none()
        heading = []
        if q:
            searched = audit_identity_search(request, q, where="search_export")  # SPEC §1.3, as the page
            by_name = searched is not None and searched.detail["query_kind"] == "name"
            full = request.GET.get(FULL_IDENTITY_PARAM) == "full"
            heading = [_search_heading(q, full=full, by_name=by_name)]
        return case_list_export(request, qs, filename="搜索结果", where="search", heading=heading)
    page = keyset_paginate(request, selectors.search_cases(request.user, q)) if q else None  # type: ignore[arg-type]
    if q:
        audit_identity_search(request, q, where="search_page")  # SPEC §1.3: who searched for whom
    context = {
        **nav_context(request, "search"),
        "q": q,
        "page": page,
        "rows": page_rows(page) if page else [],
        "base_query": urlencode({"q": q}),
        "export_query": urlencode({"format": EXPORT_FORMAT, "q": q}),
    }
    return render(request, "cases/search.html", context)
