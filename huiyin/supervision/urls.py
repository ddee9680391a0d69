from django.urls import path

from huiyin.core import access
from huiyin.core.access import CASE, LEAD, STAFF
from huiyin.supervision import suggestion_views, views

urlpatterns = [
    path("supervision/", views.supervision_home, name="supervision"),
    path("supervision/candidates/<int:pk>/dismiss/", views.candidate_dismiss, name="supervision_dismiss"),
    path("supervision/export.xlsx", views.supervision_export, name="supervision_export"),
    path("supervision/record/", views.unit_record, name="supervision_unit_record"),
    path("cases/<str:code>/supervision/", views.case_supervision, name="case_supervision"),
    path("leader/", views.leader_inbox, name="leader_inbox"),
    # SV-3 (条例 §40¶2–4): suggestions to organs and their written feedback
    path("supervision/suggestions/", suggestion_views.suggestions, name="supervision_suggestions"),
    path(
        "supervision/suggestions/<int:pk>/feedback/",
        suggestion_views.suggestion_feedback,
        name="supervision_suggestion_feedback",
    ),
]

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "supervision": STAFF,
        "supervision_dismiss": STAFF,
        "supervision_unit_record": STAFF,
        "supervision_export": STAFF,  # issue 11 item 5: each list's own scope (a record: the same 404)
        "case_supervision": CASE,
        "leader_inbox": LEAD,  # issue 10 item 11: a handler is refused, not shown an empty inbox
        "supervision_suggestions": STAFF,  # SV-3: what the unit proposed or received
        "supervision_suggestion_feedback": STAFF,  # SV-3: POST by the receiving organ
    },
)
