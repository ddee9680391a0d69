"""Sent after the transaction that wrote a case event commits (notifications listen here)."""

from django.dispatch import Signal

case_event_committed = Signal()  # kwargs: event
