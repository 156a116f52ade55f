"""Measures leaving the unit: counts 1..k-1 suppressed, figures derived from them suppressed too."""

from __future__ import annotations

from kinerja.indicators.publication import publish, publish_scorecard


def test_publish_counts_and_derived_figures():
    values = {"kasus_masuk": 12, "kasus_ditangani": 20, "kasus_selesai": 3, "tingkat_penyelesaian": 15.0,
              "respon_tepat_waktu": 75.0, "kendala_anggaran": 0, "kendala_komunikasi": 2,
              "biaya_per_kasus_selesai": 1_500_000.0, "pertumbuhan_penyelesaian": None, "ikm": 80.1,
              "durasi_asesmen_rencana_intervensi_median_hari": 4.5, "unit": "X"}
    out = publish(values, k=5)
    assert out["kasus_masuk"] == 12 and out["kasus_ditangani"] == 20 and out["kasus_selesai"] == "<5"
    assert out["kendala_anggaran"] == 0 and out["kendala_komunikasi"] == "<5"
    assert out["tingkat_penyelesaian"] == "*" and out["biaya_per_kasus_selesai"] == "*"
    assert out["pertumbuhan_penyelesaian"] is None  # undefined stays undefined
    assert out["respon_tepat_waktu"] == 75.0 and out["ikm"] == 80.1  # over 12 received cases: shown
    assert out["durasi_asesmen_rencana_intervensi_median_hari"] == 4.5
    assert out["unit"] == "X" and values["kasus_selesai"] == 3  # input untouched
    assert publish({"kasus_masuk": 3, "durasi_asesmen_rencana_intervensi_median_hari": 2.0}, 5)[
        "durasi_asesmen_rencana_intervensi_median_hari"] == "*"
    assert publish({"kasus_selesai": 3}, k=3)["kasus_selesai"] == 3


def test_publish_scorecard_hides_achievements_and_scores_that_give_values_back():
    def row(mid, value, ach):
        return {"id": mid, "value": value, "previous": value, "achievement": ach, "change": 0.0}

    card = {
        "score": 80.0,
        "dimensions": [
            {"id": "produktivitas", "score": 70.0, "measures": [row("kasus_selesai", 2, 50.0), row("ikm", 80.0, 90.0)]},
            {"id": "kualitas", "score": 90.0, "measures": [row("ikm", 80.0, 90.0)]},
        ],
        "inhibitors": [{"id": "anggaran", "actions": 3, "share": 60.0, "measures": []},
                       {"id": "sdm", "actions": 0, "share": 0.0, "measures": []}],
    }
    out = publish_scorecard(card, k=5)
    prod, qual = out["dimensions"]
    assert prod["measures"][0] == {"id": "kasus_selesai", "value": "<5", "previous": "<5", "achievement": "*",
                                   "change": "*"}
    assert prod["measures"][1]["value"] == 80.0 and prod["score"] == "*" and qual["score"] == 90.0
    assert out["score"] == "*"
    assert out["inhibitors"][0]["actions"] == "<5" and out["inhibitors"][0]["share"] == "*"
    assert out["inhibitors"][1]["actions"] == 0
