from django.urls import path

from huiyin.core import access
from huiyin.core.access import CASE, RECORD, STAFF
from huiyin.mediation import views

urlpatterns = [
    path("mediation/", views.bench, name="mediation_bench"),
    path("mediation/ledger/", views.ledger, name="mediation_ledger"),
    path("mediation/ledger/export.xlsx", views.ledger_export, name="mediation_ledger_export"),
    path("mediation/register/export.xlsx", views.mediations_export, name="mediation_register_export"),
    path("mediation/ledger/new/", views.item_new, name="mediation_item_new"),
    path("mediation/items/<int:pk>/", views.item_detail, name="mediation_item"),
    path("mediation/items/<int:pk>/<str:action>/", views.item_act, name="mediation_item_act"),
    path("mediation/rounds/", views.rounds, name="mediation_rounds"),
    path("mediation/metrics/", views.metrics_page, name="mediation_metrics"),
    path("mediation/rounds/<int:pk>/", views.round_detail, name="mediation_round"),
    path("mediation/cases/<int:pk>/", views.mediation_detail, name="mediation_detail"),
    path("mediation/disputes/<int:pk>/", views.dispute, name="mediation_dispute"),
    path("mediation/cases/<int:pk>/agreement.docx", views.agreement_docx, name="mediation_agreement_docx"),
    path("mediation/cases/<int:pk>/agreement/", views.agreement_print, name="mediation_agreement_print"),
    path("mediation/cases/<int:pk>/do/<str:action>/", views.mediation_act, name="mediation_act"),
    path("cases/<str:code>/mediation/", views.case_to_mediation, name="case_to_mediation"),
    path("cases/<str:code>/screening/", views.case_to_screening, name="case_to_screening"),
]

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "mediation_bench": STAFF,
        "mediation_ledger": STAFF,
        "mediation_ledger_export": STAFF,  # the same scope as the ledger (selectors.items_for)
        "mediation_register_export": STAFF,  # 调解台账: the mediations the user sees (mediations_for)
        "mediation_item_new": STAFF,
        "mediation_item": RECORD,
        "mediation_item_act": RECORD,
        "mediation_rounds": STAFF,
        "mediation_metrics": STAFF,
        "mediation_round": RECORD,
        "mediation_detail": RECORD,
        "mediation_dispute": RECORD,
        "mediation_agreement_docx": RECORD,
        "mediation_agreement_print": RECORD,
        "mediation_act": RECORD,
        "case_to_mediation": CASE,
        "case_to_screening": CASE,  # who sees the case; filing: its handling unit or office (services)
    },
)
