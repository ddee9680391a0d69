from django.urls import path

from huiyin.core import access
from huiyin.core.access import PUBLIC, STAFF
from huiyin.org import views

# The own account: the second sign-in step, 2FA enrolment, password, API tokens.
urlpatterns = [
    path("login/verify/", views.login_verify, name="login_verify"),
    path("me/two-factor/", views.two_factor_enrol, name="two_factor_enrol"),
    path("me/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("me/tokens/", views.my_tokens, name="my_tokens"),
    path("me/tokens/<int:pk>/revoke/", views.my_token_revoke, name="my_token_revoke"),
]

# Who may open each route (huiyin/core/access.py): the second sign-in step redirects anyone without a
# pending step (anonymous to /login/); the own tokens list only one's own, anyone else's is a 404.
access.declare(
    __name__,
    {
        "login_verify": PUBLIC,
        "two_factor_enrol": STAFF,
        "password_change": STAFF,
        "password_change_done": STAFF,
        "my_tokens": STAFF,
        "my_token_revoke": STAFF,
    },
)
