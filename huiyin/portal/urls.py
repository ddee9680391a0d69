from django.urls import path

from huiyin.core import access
from huiyin.core.access import PUBLIC
from huiyin.portal import views

urlpatterns = [
    path("", views.home, name="portal_home"),
    path("submit/", views.submit, name="portal_submit"),
    path("receipt/", views.receipt, name="portal_receipt"),
    path("track/", views.track, name="portal_track"),
    path("cases/<str:code>/", views.case_page, name="portal_case"),
    path("cases/<str:code>/rate/", views.case_rate, name="portal_case_rate"),
    path("cases/<str:code>/review/", views.case_review, name="portal_case_review"),
    path("cases/<str:code>/consent/", views.case_consent, name="portal_case_consent"),
    path("cases/<str:code>/retaliation/", views.case_retaliation, name="portal_case_retaliation"),  # CF-3
    path("cases/<str:code>/contact/", views.case_contact, name="portal_case_contact"),
    path("cases/<str:code>/opinions/<int:pk>/", views.opinion_print, name="portal_opinion"),
    path("cases/<str:code>/opinions/<int:pk>.docx", views.opinion_docx, name="portal_opinion_docx"),
    path("account/", views.account, name="portal_account"),
    path("account/code/", views.account_code, name="portal_account_code"),
    path("account/logout/", views.account_logout, name="portal_account_logout"),
    path("channels/", views.channels, name="portal_channels"),
    path("procedure/", views.procedure, name="portal_procedure"),
    path("statistics/", views.statistics, name="portal_statistics"),
    path("replies/", views.replies, name="portal_replies"),
    path("lang/<str:code>/", views.language, name="portal_language"),
]

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "portal_home": PUBLIC,
        "portal_case_contact": PUBLIC,  # issue 9: prove the phone on record by a code sent to it
        "portal_submit": PUBLIC,
        "portal_receipt": PUBLIC,
        "portal_track": PUBLIC,
        "portal_case": PUBLIC,
        "portal_case_rate": PUBLIC,
        "portal_case_review": PUBLIC,
        "portal_case_consent": PUBLIC,
        "portal_case_retaliation": PUBLIC,  # CF-3: the petitioner's own case, once verified
        "portal_opinion": PUBLIC,
        "portal_opinion_docx": PUBLIC,
        "portal_account": PUBLIC,
        "portal_account_code": PUBLIC,
        "portal_account_logout": PUBLIC,
        "portal_channels": PUBLIC,
        "portal_procedure": PUBLIC,
        "portal_statistics": PUBLIC,
        "portal_replies": PUBLIC,
        "portal_language": PUBLIC,
    },
)
