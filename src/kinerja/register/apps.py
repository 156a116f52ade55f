from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "kinerja.register"
    label = "register"
    verbose_name = _("Case register")

    def ready(self) -> None:
        from kinerja.register import accounts, casework, events, signals, signin  # noqa: F401  (connect the receivers)

        events.keys_rotated.connect(casework.reencrypt_comments, dispatch_uid="kinerja_approval_comments_reencrypt")
