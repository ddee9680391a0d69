from django.urls import path

from huiyin.notify import views

urlpatterns = [
    path("notices/", views.notice_list, name="notices"),
    path("notices/badge/", views.notice_badge, name="notice_badge"),
    path("notices/read/", views.notice_read_all, name="notice_read_all"),
    path("notices/<int:pk>/", views.notice_open, name="notice_open"),
]
