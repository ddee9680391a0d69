from django.urls import path

from huiyin.assist import views

urlpatterns = [
    path("intake/", views.intake_aids, name="assist_intake"),
    path("hotspots/", views.hot_issues, name="assist_hotspots"),
    path("cases/<str:code>/", views.case_aids, name="assist_case"),
    path("cases/<str:code>/reply-check/", views.reply_check, name="assist_reply_check"),
]
