"""An evaluator's path through the evaluation workspace in a real browser, wide and narrow: upload a
transcript, code a passage by selecting it (the picker counts code points, not UTF-16 units), see
the matrix and the agreement of the chosen coders change, remove the coding and see them return;
a section head of another unit cannot open the evaluation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import page  # noqa: F401  (fixture)
from tests.evidence_factories import sample_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EV = "/bukti/sampel-anak-2024"
# an emoji and a mathematical letter before the coded paragraph: two UTF-16 units each, one code point
TRANSCRIPT = ("SINTETIS. Wawancara uji 🙂 dengan staf 𝔸.\n\n"
              "Dana pemulangan anak habis sebelum akhir tahun, jadi kami menunggu anggaran perubahan.\n\n"
              "Penutup wawancara.\n")


def _sign_in(page, username):  # noqa: F811
    page.goto(page.base_url + "/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "rahasia-sekali")
    page.click("button[type=submit]")
    expect(page.locator("header .who")).to_contain_text(username)


def _code_paragraph(page, index, code):  # noqa: F811
    """Select a paragraph of the reader as a person would, pick a code and save."""
    before = page.locator("#codings li.coding").count()
    expect(page.locator("#picker")).to_be_hidden()  # until a passage is selected
    page.locator("#reader .para").nth(index).select_text()
    expect(page.locator("#picker")).to_be_visible()
    expect(page.locator("#suggestions button.suggestion").first).to_be_visible()  # ranked suggestions came
    page.select_option("#pick-code", label=code)
    page.click("#pick-save")
    expect(page.locator("#codings li.coding")).to_have_count(before + 1)


def _matrix_cells(page, code):  # noqa: F811
    page.goto(page.base_url + EV + "/matriks/")
    return page.locator(f'#matrix tr[data-code="{code}"] td.num').all_inner_texts()


def _alpha(page, code, coders):  # noqa: F811
    page.goto(page.base_url + EV + "/kesepakatan/")
    for box in page.locator("input[name=pengkode]").all():
        if (box.get_attribute("value") in coders) != box.is_checked():
            box.click()
    page.click("#coders-form button[type=submit]")
    return page.locator(f'#agreement tr[data-code="{code}"] td.num').nth(1).inner_text()


@pytest.mark.parametrize("width", [1280, 360])
def test_evaluator_uploads_codes_by_selection_and_removes(page, users, sample, width):  # noqa: F811
    from kinerja.evidence.models import Coding, Source

    page.set_viewport_size({"width": width, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())  # "remove this coding?"
    _sign_in(page, "peneliti")
    page.goto(page.base_url + "/bukti/")
    page.click("text=Evaluasi kinerja Seksi Rehabilitasi Sosial Anak (sampel)")

    # upload a transcript: one file opens straight in the reader
    page.set_input_files("#upload-form input[name=berkas]", files=[
        {"name": "uji_wawancara.txt", "mimeType": "text/plain", "buffer": TRANSCRIPT.encode("utf-8")}])
    page.select_option("#upload-form select[name=jenis]", "wawancara")
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#reader")).to_contain_text("Dana pemulangan anak habis")
    _code_paragraph(page, 1, "anggaran")
    source = Source.objects.get(file_name="uji_wawancara.txt")
    coding = Coding.objects.get(source=source)
    paragraph = "Dana pemulangan anak habis sebelum akhir tahun, jadi kami menunggu anggaran perubahan."
    start = TRANSCRIPT.index(paragraph)  # Python counts code points
    assert (coding.start, coding.end, coding.code.name) == (start, start + len(paragraph), "anggaran")

    # code a passage of an interview the two sample coders coded: matrix and chosen agreement move
    matrix_before = _matrix_cells(page, "saran")
    alpha_two = _alpha(page, "saran", {"peneliti1", "peneliti2"})
    kasi = Source.objects.get(title="Wawancara Kepala Seksi Rehabilitasi Sosial Anak")
    page.goto(page.base_url + f"{EV}/sumber/{kasi.uid}/")
    _code_paragraph(page, 1, "saran")
    matrix_during = _matrix_cells(page, "saran")
    assert int(matrix_during[0]) == int(matrix_before[0]) + 1
    assert _alpha(page, "saran", {"peneliti1", "peneliti2"}) == alpha_two  # the default coders: unchanged
    alpha_three = _alpha(page, "saran", {"peneliti1", "peneliti2", "peneliti"})
    assert alpha_three != alpha_two

    # remove it: it leaves the matrix and the agreement, and stays in the history
    page.goto(page.base_url + f"{EV}/sumber/{kasi.uid}/")
    mine = page.locator("#codings li.coding", has=page.locator("button.remove"))
    expect(mine).to_have_count(1)
    mine.locator("button.remove").click()
    expect(page.locator("#codings li.coding button.remove")).to_have_count(0)
    assert _matrix_cells(page, "saran") == matrix_before
    assert _alpha(page, "saran", {"peneliti1", "peneliti2", "peneliti"}) == alpha_two
    removed = Coding.with_removed.get(source=kasi, coder__username="peneliti")
    page.goto(page.base_url + f"{EV}/koding/{removed.uid}/riwayat/")
    expect(page.locator("table tbody tr")).to_have_count(2)


def test_a_section_head_of_another_unit_cannot_open_the_evaluation(page, users, sample):  # noqa: F811
    _sign_in(page, "kasi_lain")
    page.goto(page.base_url + "/bukti/")
    expect(page.locator("body")).not_to_contain_text("Evaluasi kinerja Seksi Rehabilitasi Sosial Anak")
    response = page.goto(page.base_url + EV + "/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("SINTETIS")
