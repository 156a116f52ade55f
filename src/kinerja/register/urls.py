from django.urls import path

from kinerja.register import account_views, views

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("kasus/<int:pk>/", views.case_detail, name="case-detail"),
    path("kasus/<int:pk>/identitas/", views.reveal_identity, name="case-reveal"),
    path("masuk/kode/", account_views.CodeSignInView.as_view(), name="login-code"),
    path("kata-sandi/", account_views.ChoosePasswordView.as_view(), name="password-change"),
    path("saya/", views.worker_home, name="worker-home"),
    path("persetujuan/", views.approvals, name="approvals"),
    path("beban-kerja/", views.caseload_page, name="caseload"),
    path("audit/", views.audit_page, name="unit-audit"),
]
