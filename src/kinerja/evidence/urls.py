from django.urls import path

from kinerja.evidence import views

app_name = "evidence"
E = "<slug:evaluasi>/"

urlpatterns = [
    path("", views.evaluation_list, name="evaluations"),
    path(E, views.sources, name="sources"),
    path(E + "unggah/", views.upload, name="upload"),
    path(E + "informan/", views.informants, name="informants"),
    path(E + "sumber/<uuid:source>/", views.reader, name="reader"),
    path(E + "sumber/<uuid:source>/saran/", views.suggest, name="suggest"),
    path(E + "sumber/<uuid:source>/koding/", views.add_coding, name="add-coding"),
    path(E + "koding/<uuid:coding>/", views.change_coding, name="change-coding"),
    path(E + "koding/<uuid:coding>/hapus/", views.remove_coding, name="remove-coding"),
    path(E + "koding/<uuid:coding>/riwayat/", views.coding_history, name="coding-history"),
    path(E + "kode/", views.codebook, name="codebook"),
    path(E + "matriks/", views.matrix, name="matrix"),
    path(E + "kesepakatan/", views.agreement, name="agreement"),
    path(E + "cari/", views.search, name="search"),
    path(E + "pertukaran/", views.exchange_page, name="exchange"),
    path(E + "pertukaran/ekspor/", views.export, name="export"),
    path(E + "pertukaran/impor/", views.import_file, name="import"),
]
