from django.urls import path

from kinerja.dashboard import views

urlpatterns = [
    path("", views.scorecard_page, name="scorecard"),
    path("definisi/", views.definitions_page, name="measure-definitions"),
]
