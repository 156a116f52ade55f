from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kinerja.api import api

urlpatterns = [
    path("masuk/", auth_views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("kinerja/", include("kinerja.dashboard.urls")),
    path("laporan/", include("kinerja.reports.urls")),
    path("bukti/", include("kinerja.evidence.urls")),
    path("", include("kinerja.register.urls")),
]

# styled error pages in the user's language; the 500 page renders without the database
handler400 = "kinerja.register.views.error_400"
handler403 = "kinerja.register.views.error_403"
handler404 = "kinerja.register.views.error_404"
handler500 = "kinerja.register.views.error_500"
