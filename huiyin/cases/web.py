"""Helpers of every staff page that shows a case: the case the user may see, or one 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from huiyin.cases import selectors
from huiyin.cases.models import Case
from huiyin.core import net
from huiyin.core.errors import NotFound


def case_or_404(request: HttpRequest, ref: int | str) -> Case:
    """The case if this user may see it; one 404 for 'missing' and 'not yours'."""
    try:
        return selectors.access_case(request.user, ref, ip=net.audit_ip(request))  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404(exc.message) from None
