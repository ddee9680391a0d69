from django.urls import path

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
