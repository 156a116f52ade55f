from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "kinerja.evidence"
    label = "evidence"
    verbose_name = _("Evaluation evidence")

    def ready(self) -> None:
        from kinerja.evidence import services
        from kinerja.register import events

        events.keys_rotated.connect(services.reencrypt_evidence, dispatch_uid="kinerja_evidence_reencrypt")
