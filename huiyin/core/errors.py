"""One error model: services raise these; the API renders {"message", "extra"}, HTML shows the message."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A refusal the user can act on. `message` is shown as is; `extra` carries details for the API."""

    status_code = 400

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ValidationFailed(ApplicationError):
    """Input that does not satisfy a rule (field errors in `extra["fields"]`)."""


class TransitionNotAllowed(ApplicationError):
    """The (status, action) pair is not in the transition table, or its guard refuses."""

    status_code = 409


class PermissionDenied(ApplicationError):
    """The actor's role or unit may not take this action on this case."""

    status_code = 403


class NotFound(ApplicationError):
    """Missing, or not yours: the same answer for both (STYLE: access functions)."""

    status_code = 404


class DeadlineRuleMissing(ApplicationError):
    """No rule value is configured for a clock the workflow needs."""

    status_code = 500


class StoreUnavailable(OSError):
    """The object store that holds the case files did not answer or refused Huiyin's keys
    (huiyin/core/objectstore.py): shown as a 503 page, never a traceback (core/middleware.py)."""
