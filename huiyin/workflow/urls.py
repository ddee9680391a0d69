from django.urls import path

from huiyin.workflow import views

urlpatterns = [
    path("cases/<str:code>/actions/<str:action>/", views.case_action, name="case_action"),
]
