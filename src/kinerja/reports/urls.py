from django.urls import path

from kinerja.reports import views

urlpatterns = [
    path("", views.reports_page, name="reports"),
    path("tugas/", views.start_job, name="report-start"),
    path("tugas/<uuid:job>/", views.job_status, name="report-job"),
    path("tugas/<uuid:job>/unduh/", views.job_file, name="report-job-file"),
]
