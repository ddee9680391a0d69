from django.urls import path

from huiyin.core import access
from huiyin.core.access import CASE, INTAKE, PUBLIC, STAFF
from huiyin.reception import views

urlpatterns = [
    path("reception/", views.home, name="reception_home"),
    path("reception/agenda/", views.agenda, name="reception_agenda"),
    path("reception/register/export.xlsx", views.register_export, name="reception_register_export"),
    path("reception/walk-in/", views.walk_in, name="reception_walk_in"),
    path("reception/outcome/", views.outcome, name="reception_outcome"),
    path("reception/invite/", views.invite, name="reception_invite"),
    path("reception/attendance/", views.attendance, name="reception_attendance"),
    path("reception/plan/", views.plan, name="reception_plan"),
    path("reception/hall/", views.hall, name="reception_hall"),
    path("reception/visits/", views.visits, name="reception_visits"),
    path("cases/<str:code>/instructions/", views.case_instructions, name="case_instructions"),
    path("public/reception/", views.public_schedule, name="portal_reception"),
    path("public/reception/book/", views.public_book, name="portal_reception_book"),
    path("public/reception/booked/", views.public_booked, name="portal_reception_booked"),
]

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py). The staff
# pages take the session or booking in the query or the form; each view checks the user's territory.
access.declare(
    __name__,
    {
        "reception_home": STAFF,
        "reception_agenda": STAFF,
        # 接访登记 (issue 11 item 5): the user's sessions only, each booking read as the agenda reads it
        "reception_register_export": STAFF,
        "reception_walk_in": INTAKE,
        "reception_outcome": STAFF,
        "reception_invite": STAFF,
        "reception_attendance": STAFF,
        "reception_plan": STAFF,
        "reception_hall": STAFF,
        "reception_visits": STAFF,
        "case_instructions": CASE,
        "portal_reception": PUBLIC,
        "portal_reception_book": PUBLIC,
        "portal_reception_booked": PUBLIC,
    },
)
