from django.urls import path, re_path

from huiyin.analytics import paper_views, views
from huiyin.core import access
from huiyin.core.access import AUDIT, PUBLIC, RECORD, STAFF

urlpatterns = [
    path("analytics/", views.dashboard_view, name="analytics_dashboard"),
    path("analytics/cases/", views.cases_view, name="analytics_cases"),
    path("analytics/cases/export.xlsx", views.cases_export_view, name="analytics_cases_export"),
    path("analytics/export.xlsx", views.export_view, name="analytics_export"),
    path("analytics/close/", views.close_month_view, name="analytics_close_month"),
    path("analytics/documents/", paper_views.documents_view, name="analytics_documents"),
    path(
        "analytics/documents/generate/",
        paper_views.document_generate_view,
        name="analytics_document_generate",
    ),
    path("analytics/documents/<int:pk>.docx", paper_views.document_docx_view, name="analytics_document_docx"),
    path("analytics/documents/<int:pk>.xlsx", paper_views.document_xlsx_view, name="analytics_document_xlsx"),
    re_path(
        r"^analytics/bulletin\.(?P<fmt>[a-z]{3,5})$",
        paper_views.bulletin_download_view,
        name="analytics_bulletin",
    ),
    path("analytics/surveys/", paper_views.surveys_view, name="analytics_surveys"),
    path("analytics/surveys/<int:pk>/", paper_views.survey_view, name="analytics_survey"),
    path(
        "analytics/surveys/<int:pk>/invite/", paper_views.survey_invite_view, name="analytics_survey_invite"
    ),
    path("analytics/surveys/<int:pk>/close/", paper_views.survey_close_view, name="analytics_survey_close"),
    path("analytics/scorecard/", paper_views.scorecard_view, name="analytics_scorecard"),
    # the invited person's one-time page: no sign-in, the token is the only key (民主评议)
    re_path(
        r"^survey/(?P<token>[A-Za-z0-9_-]{1,64})/$", paper_views.survey_answer_view, name="survey_answer"
    ),
]

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py). Any staff
# member: a leader or supervisor sees the whole territory, anyone else their own unit's figures, and
# every case list is the user's own scope (cases.selectors.case_list). Closing a month is refused (403)
# to anyone but supervisors and administrators.
access.declare(
    __name__,
    {
        "analytics_dashboard": STAFF,
        "analytics_cases": STAFF,
        "analytics_cases_export": STAFF,  # the same scope as the list (issue 11 item 5)
        "analytics_export": STAFF,
        "analytics_close_month": STAFF,
        # 通报 and annual reports: leaders and supervisors of the territory (403 for a unit's staff); a
        # stored document, or the 通报 of a territory outside one's own, is the missing-record 404
        "analytics_documents": AUDIT,
        "analytics_document_generate": STAFF,  # POST only; 403 for a unit's staff
        "analytics_document_docx": RECORD,
        "analytics_document_xlsx": RECORD,
        "analytics_bulletin": RECORD,
        # 民主评议: rounds of the user's territory; opening, inviting and closing: administrators (403)
        "analytics_surveys": STAFF,
        "analytics_survey": RECORD,
        "analytics_survey_invite": STAFF,
        "analytics_survey_close": STAFF,
        # 考核: the scorecard of the user's scope; setting weights: administrators (403)
        "analytics_scorecard": STAFF,
        "survey_answer": PUBLIC,
    },
)
