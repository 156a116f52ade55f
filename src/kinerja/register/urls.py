from django.urls import path

from kinerja.register import account_views, casework_views, views

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("kasus/<int:pk>/", views.case_detail, name="case-detail"),
    path("kasus/<int:pk>/identitas/", views.reveal_identity, name="case-reveal"),
    path("masuk/kode/", account_views.CodeSignInView.as_view(), name="login-code"),
    path("kata-sandi/", account_views.ChoosePasswordView.as_view(), name="password-change"),
    # case work (kinerja.register.casework)
    path("kasus/baru/", casework_views.register_case, name="case-register"),
    path("kasus/<int:pk>/tindakan/", casework_views.record_action, name="case-action"),
    path("kasus/<int:pk>/tindakan/<int:tid>/koreksi/", casework_views.correct_action, name="case-action-correct"),
    path("kasus/<int:pk>/rencana/", casework_views.submit_plan, name="case-plan"),
    path("kasus/<int:pk>/rujukan/", casework_views.send_referral, name="case-referral"),
    path("kasus/<int:pk>/rujukan/<int:rid>/", casework_views.update_referral, name="case-referral-update"),
    path("kasus/<int:pk>/persetujuan/<int:aid>/", casework_views.decide, name="case-decide"),
    path("kasus/<int:pk>/penutupan/", casework_views.propose_closure, name="case-closure"),
    path("kasus/<int:pk>/petugas/", casework_views.assign_worker, name="case-assign"),
    path("kasus/<int:pk>/koreksi/", casework_views.correct_case, name="case-correct"),
    path("token-api/", casework_views.tokens, name="api-tokens"),
    path("token-api/<int:tid>/cabut/", casework_views.revoke_token, name="api-token-revoke"),
    path("saya/", views.worker_home, name="worker-home"),
    path("persetujuan/", views.approvals, name="approvals"),
    path("beban-kerja/", views.caseload_page, name="caseload"),
    path("audit/", views.audit_page, name="unit-audit"),
]
