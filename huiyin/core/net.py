"""The client's network address for throttling and audit.

Minimal placeholder (branch t9-signin): REMOTE_ADDR only. The 'audit' branch replaces this module with
one that honours a configured trusted proxy (X-Forwarded-For from configured proxy addresses only);
django-axes reads it through `AXES_CLIENT_IP_CALLABLE`, so the sign-in lockout follows automatically.
"""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, as the server saw it."""
    return str(request.META.get("REMOTE_ADDR") or "")
