from django.urls import path

from huiyin.core import access
from huiyin.core.access import CASE, INTAKE, OWN, PUBLIC, STAFF
from huiyin.desk import aftercare_views, export_views, suggestions, views
from huiyin.org import views as org_views

# Sign-in routes live here so huiyin/urls.py needs no extra include.
urlpatterns = [
    path("login/", org_views.LoginView.as_view(), name="login"),
    path("logout/", org_views.LogoutView.as_view(), name="logout"),
    path("me/", org_views.profile, name="profile"),
    path("", views.workbench, name="workbench"),
    path("cases/new/", views.case_new, name="case_new"),
    path("direct/new/", views.case_new_direct, name="case_new_direct"),  # RG-3, 条例 §23¶1
    path("cases/new/lookup/", views.petitioner_lookup, name="petitioner_lookup"),
    path("cases/new/lookup/<int:petitioner>/reveal/", views.petitioner_reveal, name="petitioner_reveal"),
    path("search/", views.search, name="search"),
    # a long list's export: its progress, then its file (only for the user who asked)
    path("exports/<int:job>/", export_views.export_job, name="export_job"),
    path("exports/<int:job>/file/", export_views.export_job_file, name="export_job_file"),
    path("suggestions/", suggestions.suggestion_list, name="suggestion_list"),  # issue 10, HD-2 (条例 §29)
    path("cases/<str:code>/", views.case_detail, name="case_detail"),
    path("cases/<str:code>/parties/", views.case_parties, name="case_parties"),
    path(
        "cases/<str:code>/parties/<int:party>/contact/", views.case_party_contact, name="case_party_contact"
    ),
    path("cases/<str:code>/receipt/", views.case_receipt, name="case_receipt"),
    # HD-10, RP-2 (条例 §37): assistance referrals and follow-up after finality
    path("cases/<str:code>/aftercare/", aftercare_views.case_aftercare, name="case_aftercare"),
    path("followups/", aftercare_views.followups, name="followups"),
    path("cases/<str:code>/attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("cases/<str:code>/opinions/<int:pk>.docx", views.opinion_docx, name="opinion_docx"),
    path("cases/<str:code>/opinions/<int:pk>/print/", views.opinion_print, name="opinion_print"),
]

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "login": PUBLIC,
        "export_job": OWN,  # the export's own user; anyone else the missing-record 404
        "export_job_file": OWN,
        "petitioner_reveal": INTAKE,  # issue 9: the audited unmasking behind the look-up's fill button
        "case_party_contact": CASE,  # issue 9: staff verify a new contact (POST by the registering office)
        "logout": PUBLIC,
        "profile": STAFF,
        "workbench": STAFF,
        "case_new": INTAKE,
        "case_new_direct": STAFF,  # RG-3: a department's staff register what their unit received directly
        "petitioner_lookup": INTAKE,
        "search": STAFF,
        "suggestion_list": STAFF,  # issue 10 (HD-2): the suggestions the user may see (visible_to)
        "case_detail": CASE,
        "case_parties": CASE,
        "case_receipt": CASE,
        "case_aftercare": CASE,  # HD-10, RP-2
        "followups": STAFF,  # HD-10, RP-2: the unit's own follow-ups
        "attachment_download": CASE,
        "opinion_docx": CASE,
        "opinion_print": CASE,
    },
)
