from django.urls import path

from huiyin.supervision import views

urlpatterns = [
    path("supervision/", views.supervision_home, name="supervision"),
    path("supervision/candidates/<int:pk>/dismiss/", views.candidate_dismiss, name="supervision_dismiss"),
    path("supervision/record/", views.unit_record, name="supervision_unit_record"),
    path("cases/<str:code>/supervision/", views.case_supervision, name="case_supervision"),
    path("leader/", views.leader_inbox, name="leader_inbox"),
]
