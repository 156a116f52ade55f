"""Sign-in with a one-time code and choosing one's own password, on Django's auth views and forms:
the code form authenticates, LoginView logs in (new session key, CSRF rotated), PasswordChangeView
keeps the session valid after the change. Failed codes send user_login_failed like any failed
sign-in, so sign-in throttling counts them too."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib import messages
from django.contrib.auth import get_backends, signals
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kinerja.register import accounts


class CodeSignInForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    code = forms.CharField(label=gettext_lazy("One-time code"), max_length=40, strip=True)

    def __init__(self, request=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def clean(self):  # type: ignore[no-untyped-def]
        username, code = self.cleaned_data.get("username"), self.cleaned_data.get("code")
        if username and code:
            credentials = {"username": username}
            if self.request is not None and not AxesProxyHandler.is_allowed(self.request, credentials):
                # locked out: the right code is refused like the right password (the lockout page follows)
                self.request.axes_locked_out = True
                self.request.axes_credentials = credentials
                raise forms.ValidationError(_("Sign-in locked"), code="locked")
            try:
                user = accounts.sign_in_with_code(username, code)
            except accounts.AccountError as exc:
                signals.user_login_failed.send(sender=__name__, credentials={"username": username},
                                               request=self.request)
                raise forms.ValidationError(str(exc), code="invalid_code") from exc
            user.backend = _session_backend()
            self.user_cache = user
        return self.cleaned_data

    def get_user(self):  # type: ignore[no-untyped-def]
        return self.user_cache


def _session_backend() -> str:
    """The configured backend that loads the signed-in user on later requests."""
    for backend in get_backends():
        if isinstance(backend, ModelBackend):
            return f"{type(backend).__module__}.{type(backend).__qualname__}"
    return "django.contrib.auth.backends.ModelBackend"


class CodeSignInView(auth_views.LoginView):
    form_class = CodeSignInForm
    template_name = "registration/login_code.html"

    def get_default_redirect_url(self) -> str:
        return reverse("password-change")

    def get_redirect_url(self) -> str:
        return ""  # straight to choosing a password, whatever `next` says


class NewPasswordForm(SetPasswordForm):
    """After a one-time code: no old password to give."""

    def save(self, commit=True):  # type: ignore[no-untyped-def]
        accounts.password_chosen(self.user)
        return super().save(commit)


class OwnPasswordForm(PasswordChangeForm):
    def save(self, commit=True):  # type: ignore[no-untyped-def]
        accounts.password_chosen(self.user)
        return super().save(commit)


class ChoosePasswordView(auth_views.PasswordChangeView):
    template_name = "registration/password_choose.html"

    def get_form_class(self):  # type: ignore[no-untyped-def]
        return NewPasswordForm if self.request.user.must_change_password else OwnPasswordForm

    def get_context_data(self, **kwargs):  # type: ignore[no-untyped-def]
        ctx = super().get_context_data(**kwargs)
        ctx["forced"] = self.request.user.must_change_password
        ctx["next"] = self.request.GET.get("next", "")
        return ctx

    def get_success_url(self) -> str:
        nxt = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={self.request.get_host()},
                                                   require_https=self.request.is_secure()):
            return nxt
        return reverse("case-list")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        messages.success(self.request, _("Your new password is saved."))
        return response
