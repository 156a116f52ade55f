from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "kinerja.register"
    label = "register"
    verbose_name = _("Case register")

    def ready(self) -> None:
        from kinerja.register import accounts, signals, signin  # noqa: F401  (connect the receivers)
