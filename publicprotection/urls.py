from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from publicprotection.accounts import views as account_views
from publicprotection.accounts.forms import ChangePasswordForm, SignInForm
from publicprotection.api.views import MeApi
from publicprotection.health import healthz
from worklists import views as worklist_views

api_v1 = [
    path("me/", MeApi.as_view(), name="me"),
    path("", include("cases.api_urls")),
    path("", include("riskassessment.api_urls")),
    path("", include("marac.api_urls")),
    path("", include("homicidereviews.api_urls")),
]

urlpatterns = [
    path("", worklist_views.home, name="home"),
    path("work/<slug:key>/", worklist_views.work_list, name="worklist"),
    path("healthz", healthz, name="healthz"),
    path(
        "account/sign-in/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("account/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(form_class=ChangePasswordForm),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("account/two-factor/setup/", account_views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/verify/", account_views.two_factor_verify, name="two_factor_verify"),
    path(
        "account/two-factor/recovery/",
        account_views.two_factor_recovery,
        name="two_factor_recovery",
    ),
    path(
        "account/two-factor/recovery-codes/new/",
        account_views.recovery_codes_new,
        name="recovery_codes_new",
    ),
    path("account/security/", account_views.security, name="account_security"),
    path("account/session/", account_views.session_status, name="session_status"),
    path(
        "account/session/keep-alive/",
        account_views.session_keep_alive,
        name="session_keep_alive",
    ),
    path("account/api-tokens/", account_views.api_tokens, name="api_tokens"),
    path(
        "account/api-tokens/<uuid:public_id>/revoke/",
        account_views.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path("cases/", include("cases.urls")),
    path("risk/", include("riskassessment.urls")),
    path("marac/", include("marac.urls")),
    path("homicide-reviews/", include("homicidereviews.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("publicprotection.audit.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "publicprotection.errors.bad_request"
handler403 = "publicprotection.errors.permission_denied"
handler404 = "publicprotection.errors.page_not_found"
handler500 = "publicprotection.errors.server_error"
