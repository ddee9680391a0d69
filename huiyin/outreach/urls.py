from django.urls import path

from huiyin.core import access
from huiyin.core.access import PUBLIC, STAFF
from huiyin.outreach import views

urlpatterns = [
    path("outreach/", views.home, name="outreach_home"),
    path("outreach/pairings/new/", views.pairing_new, name="outreach_pairing_new"),
    path("outreach/diary/", views.diary, name="outreach_diary"),
    path("outreach/diary/export.xlsx", views.diary_export, name="outreach_diary_export"),
    path("outreach/diary/new/", views.diary_new, name="outreach_diary_new"),
    path("outreach/diary/<int:entry>/", views.entry_page, name="outreach_entry"),
    path("outreach/diary/<int:entry>/followup/", views.followup, name="outreach_followup"),
    path("outreach/problems/<int:problem>/case/", views.problem_case, name="outreach_problem_case"),
    path("outreach/problems/<int:problem>/answer/", views.problem_answer, name="outreach_problem_answer"),
    path(
        "outreach/problems/<int:problem>/screening/",
        views.problem_screening,
        name="outreach_problem_screening",
    ),
    path("outreach/coverage/", views.coverage, name="outreach_coverage"),
    path("outreach/commitments/", views.commitments, name="outreach_commitments"),
    path("outreach/commitments/export.xlsx", views.commitments_export, name="outreach_commitments_export"),
    path("outreach/commitments/new/", views.commitment_new, name="outreach_commitment_new"),
    path("outreach/commitments/<int:commitment>/", views.commitment_page, name="outreach_commitment"),
    path("outreach/commitments/<int:commitment>/act/", views.commitment_act, name="outreach_commitment_act"),
    path("outreach/meetings/", views.meetings, name="outreach_meetings"),
    path("outreach/meetings/<int:meeting>/", views.meeting_page, name="outreach_meeting"),
    path(
        "outreach/meetings/<int:meeting>/minutes.docx", views.meeting_minutes, name="outreach_meeting_minutes"
    ),
    path(
        "outreach/meeting-issues/<int:issue>/answer/",
        views.issue_act,
        {"outcome": "answer"},
        name="outreach_issue_answer",
    ),
    path(
        "outreach/meeting-issues/<int:issue>/case/",
        views.issue_act,
        {"outcome": "case"},
        name="outreach_issue_case",
    ),
    path(
        "outreach/meeting-issues/<int:issue>/commitment/",
        views.issue_act,
        {"outcome": "commitment"},
        name="outreach_issue_commitment",
    ),
    path("outreach/projects/", views.projects, name="outreach_projects"),
    path(
        "outreach/projects/<int:proposal>/select/",
        views.project_decide,
        {"outcome": "select"},
        name="outreach_project_select",
    ),
    path(
        "outreach/projects/<int:proposal>/decline/",
        views.project_decide,
        {"outcome": "decline"},
        name="outreach_project_decline",
    ),
    path("public/projects/", views.public_projects, name="portal_projects"),
    path("outreach/consultations/", views.consultations, name="outreach_consultations"),
    path("outreach/consultations/<int:consultation>/", views.consultation_page, name="outreach_consultation"),
    path(
        "outreach/consultations/<int:consultation>/hearing/", views.hearing_new, name="outreach_hearing_new"
    ),
    path("outreach/comments/<int:comment>/respond/", views.comment_respond, name="outreach_comment_respond"),
    path("public/consultations/", views.public_consultations, name="portal_consultations"),
    path("public/consultations/<int:consultation>/", views.public_consultation, name="portal_consultation"),
    path("public/commitments/", views.public_list, name="portal_commitments"),
    path("public/commitments/<int:commitment>/", views.public_page, name="portal_commitment"),
    path("public/commitments/<int:commitment>/rate/", views.public_rate, name="portal_commitment_rate"),
]

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py). The staff
# pages check further themselves: a diary or commitment outside one's territory is the missing 404;
# pairing and commitment forms answer 403 to roles that may not use them.
access.declare(
    __name__,
    {
        "outreach_home": STAFF,
        "outreach_pairing_new": STAFF,
        "outreach_diary": STAFF,
        "outreach_diary_export": STAFF,  # the same scope as the diary list (entries_visible_to)
        "outreach_diary_new": STAFF,
        "outreach_entry": STAFF,
        "outreach_followup": STAFF,
        "outreach_problem_case": STAFF,
        "outreach_problem_answer": STAFF,
        "outreach_problem_screening": STAFF,
        "outreach_coverage": STAFF,
        "outreach_commitments": STAFF,
        "outreach_commitments_export": STAFF,  # the same scope as the list (commitments_for_staff)
        "outreach_commitment_new": STAFF,
        "outreach_commitment": STAFF,
        "outreach_commitment_act": STAFF,
        "outreach_meetings": STAFF,
        "outreach_meeting": STAFF,
        "outreach_meeting_minutes": STAFF,
        "outreach_issue_answer": STAFF,
        "outreach_issue_case": STAFF,
        "outreach_issue_commitment": STAFF,
        "outreach_projects": STAFF,
        "outreach_project_select": STAFF,
        "outreach_project_decline": STAFF,
        "portal_projects": PUBLIC,
        "outreach_consultations": STAFF,
        "outreach_consultation": STAFF,
        "outreach_hearing_new": STAFF,
        "outreach_comment_respond": STAFF,
        "portal_consultations": PUBLIC,
        "portal_consultation": PUBLIC,
        "portal_commitments": PUBLIC,
        "portal_commitment": PUBLIC,
        "portal_commitment_rate": PUBLIC,
    },
)
