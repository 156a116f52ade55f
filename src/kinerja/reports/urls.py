from django.urls import path

from kinerja.reports import views

urlpatterns = [path("", views.reports_page, name="reports")]
