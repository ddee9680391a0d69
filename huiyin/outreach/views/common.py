"""What every outreach page shares: one way a form is posted (valid → the write → a flash and a
redirect; a refusal of the write lands on the field it names, the page answers 400), one way an action
button is posted (the write, then a flash either way and back to the record), the territory choices,
and the phone sign-in of the public pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from huiyin.cases.forms import flag_invalid
from huiyin.core.errors import ApplicationError, ValidationFailed
from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import Territory, User
from huiyin.outreach import selectors, services

LIST_LIMIT = 200


def apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a refused write's field errors on the form's fields (or on the form when none matches)."""
    fields = (exc.extra or {}).get("fields", {})
    placed = False
    for name, message in fields.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def submit(
    request: HttpRequest, form: forms.Form, save: Callable[[dict[str, Any]], str], done: str
) -> HttpResponse | None:
    """A page's form on POST: when it is valid, `save(cleaned_data)` writes and returns the URL to go
    to, `done` is flashed and the browser redirected. None when the page is to be shown again (a GET,
    an invalid form, a refused write: its errors are on the form); `page` then answers 400 to a POST."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        url = save(form.cleaned_data)
    except ApplicationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, done)
    return redirect(url)


def page(request: HttpRequest, template: str, context: dict[str, Any], *forms_: forms.Form) -> HttpResponse:
    """Render a page with forms: invalid fields marked (aria-invalid), 400 when a POST did not go through."""
    flag_invalid(*forms_)
    return render(request, template, context, status=400 if request.method == "POST" else 200)


def cleaned(form: forms.Form) -> dict[str, Any]:
    """The form's data, or its first error as a refusal (for the action buttons, which flash it)."""
    if not form.is_valid():
        message = str(next(iter(form.errors.values()))[0])
        raise ValidationFailed(message, extra={"fields": {"form": message}})
    return form.cleaned_data


def act(request: HttpRequest, do: Callable[[], str], back: str, failed: str = "") -> HttpResponse:
    """An action button: `do()` writes and returns what to flash; a refusal is flashed (after
    `failed`), nothing half-written (each write is one transaction); back to `back` either way."""
    try:
        done = do()
    except ApplicationError as exc:
        messages.error(request, failed + exc.message)
    else:
        messages.success(request, done)
    return redirect(back)


def refuse_page(request: HttpRequest, message: str) -> HttpResponse:
    """A form page a role may not use: the page explains (200), a post is refused (403)."""
    return render(request, "403.html", {"message": message}, status=403 if request.method == "POST" else 200)


def case_in(d: dict[str, Any]) -> services.CaseFromProblemIn:
    """The case a problem or a meeting issue becomes, from ProblemCaseForm's data."""
    return services.CaseFromProblemIn(
        title=d["title"],
        request=d["request"],
        person_name=d["person_name"],
        phone=d["phone"],
        petition_type=d["petition_type"],
        accused_person=d["accused_person"],
        consent_given=d["consent_given"],
        consent_note=d["consent_note"],
    )


def in_scope(qs: QuerySet[Any], user: User, territory: str = "territory") -> QuerySet[Any]:
    """The rows whose territory (at lookup `territory`) lies in the user's; none for a user without one."""
    path = selectors._scope_path(user)
    if path is None:
        return qs.none()
    return qs.filter(**{f"{territory}__path__startswith": path})


def villages(user: User) -> list[tuple[int, str]]:
    path = selectors._scope_path(user)
    if path is None:
        return []
    qs = Territory.objects.filter(path__startswith=path, level=TerritoryLevel.VILLAGE).select_related(
        "parent"
    )
    return [(t.pk, f"{t.parent.name if t.parent else ''}{t.name}") for t in qs]


def territories(user: User) -> list[tuple[int, str]]:
    """The unit's territory and everything below it down to villages."""
    if user.unit is None:
        return []
    path = user.unit.territory.path
    qs = Territory.objects.filter(path__startswith=path, level__lte=TerritoryLevel.VILLAGE)
    return [(t.pk, t.name) for t in qs]


def public_territories() -> list[tuple[int, str]]:
    qs = Territory.objects.filter(
        level__in=(TerritoryLevel.COUNTY, TerritoryLevel.TOWNSHIP, TerritoryLevel.VILLAGE)
    )
    return [(t.pk, t.name) for t in qs]


def contact(request: HttpRequest) -> str:
    """The phone number the portal verified by a one-time code (a rating or comment needs it)."""
    from huiyin.portal.views import SESSION_CONTACT

    found = request.session.get(SESSION_CONTACT) or ""
    return found if found and "@" not in found else ""
