from django.urls import path

from kinerja.register import views

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("kasus/<int:pk>/", views.case_detail, name="case-detail"),
    path("kasus/<int:pk>/identitas/", views.reveal_identity, name="case-reveal"),
]
