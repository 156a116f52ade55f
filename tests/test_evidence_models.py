"""Evidence models: the rules hold in the database itself, and texts are bound to their row."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction

from kinerja.evidence import crypto
from kinerja.evidence.models import Code, Coding, Evaluation, Informant, Memo, Source
from kinerja.identity import IdentityError

pytestmark = pytest.mark.django_db


def _ev() -> Evaluation:
    ev, _new = Evaluation.objects.get_or_create(
        code="model", defaults={"title": "Model", "period_start": dt.date(2024, 1, 1), "period_end": dt.date(2025, 1, 1)})
    return ev


def _source(text: str = "Anggaran terbatas.\n\nMobil hanya satu.", **kw) -> Source:
    uid = uuid.uuid4()
    return Source.objects.create(uid=uid, evaluation=_ev(), type=kw.pop("type", "wawancara"), title=kw.pop("title", "W"),
                                 text_enc=crypto.encrypt_source_text(uid, text), length=len(text), **kw)


def _refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_child_informant_needs_consent_in_the_database():
    _refused(lambda: Informant.objects.create(evaluation=_ev(), code="IA-01", is_child=True, initials="NA", age=14))
    child = Informant.objects.create(evaluation=_ev(), code="IA-01", is_child=True, initials="NA", age=14, consent_recorded=True)
    assert child.label == "IA-01 · NA, 14 th"
    assert str(Informant.objects.create(evaluation=_ev(), code="IK-01", role="Kepala Seksi")) == "IK-01"


def test_initials_and_age_only_for_children_and_under_18():
    _refused(lambda: Informant.objects.create(evaluation=_ev(), code="IK-02", initials="AB"))
    _refused(lambda: Informant.objects.create(evaluation=_ev(), code="IK-03", age=40))
    _refused(lambda: Informant.objects.create(evaluation=_ev(), code="IA-04", is_child=True, initials="AB", age=19,
                                              consent_recorded=True))
    assert Informant.objects.count() == 0


def test_coding_span_must_not_be_empty(users):
    source = _source()
    code = Code.objects.create(evaluation=_ev(), name="anggaran")
    _refused(lambda: Coding.objects.create(source=source, code=code, coder=users["evaluator"], start=5, end=5))
    _refused(lambda: Coding.objects.create(source=source, code=code, coder=users["evaluator"], start=6, end=2))
    _refused(lambda: Coding.objects.create(source=source, code=code, coder=users["evaluator"], start=0, end=3,
                                           stance="positif"))
    ok = Coding.objects.create(source=source, code=code, coder=users["evaluator"], start=0, end=8, stance="menghambat")
    assert (ok.start, ok.end) == (0, 8)


def test_source_type_and_length_are_checked():
    _refused(lambda: _source(type="survei"))
    uid = uuid.uuid4()
    _refused(lambda: Source.objects.create(uid=uid, evaluation=_ev(), type="observasi", title="kosong", text_enc=b"x", length=0))


def test_code_link_and_colour_forms():
    Code.objects.create(evaluation=_ev(), name="a", link="dimensi:responsivitas", colour="#AABBCC")
    Code.objects.create(evaluation=_ev(), name="b", link="measure:ikm", colour="#abc")
    Code.objects.create(evaluation=_ev(), name="c", link="kendala:sarana_prasarana")
    _refused(lambda: Code.objects.create(evaluation=_ev(), name="d", link="responsivitas"))
    _refused(lambda: Code.objects.create(evaluation=_ev(), name="e", link="dimensi:dua kata"))
    _refused(lambda: Code.objects.create(evaluation=_ev(), name="f", colour="merah"))
    _refused(lambda: Code.objects.create(evaluation=_ev(), name=""))


def test_memo_has_at_most_one_target():
    source = _source()
    code = Code.objects.create(evaluation=_ev(), name="anggaran")
    _refused(lambda: Memo.objects.create(evaluation=_ev(), text_enc=b"x", code=code, source=source))
    memo = Memo.objects.create(evaluation=_ev(), text_enc=b"x", source=source)
    assert memo.target_kind == "source"
    assert Memo.objects.create(evaluation=_ev(), text_enc=b"x").target_kind == "project"


def test_source_text_is_encrypted_and_bound_to_its_row():
    text = "Rahasia transkrip: dana pemulangan habis."
    a, b = _source(text), _source("lain")
    a.refresh_from_db()
    assert text.encode() not in bytes(a.text_enc)
    assert crypto.decrypt_source_text(a.uid, a.text_enc) == text
    with pytest.raises(IdentityError):
        crypto.decrypt_source_text(b.uid, a.text_enc)  # copied to another row: refused
    with pytest.raises(IdentityError):
        crypto.decrypt_memo(a.uid, a.text_enc)  # same row, other table: refused


def test_evaluation_period_runs_forward_and_codes_are_unique_per_evaluation():
    _refused(lambda: Evaluation.objects.create(code="mundur", title="Mundur", period_start=dt.date(2025, 1, 1),
                                               period_end=dt.date(2024, 1, 1)))
    other = Evaluation.objects.create(code="lain", title="Lain", period_start=dt.date(2024, 1, 1),
                                      period_end=dt.date(2025, 1, 1))
    Informant.objects.create(evaluation=_ev(), code="IK-01")
    _refused(lambda: Informant.objects.create(evaluation=_ev(), code="IK-01"))
    assert Informant.objects.create(evaluation=other, code="IK-01").code == "IK-01"  # another evaluation: fine
    uid = uuid.uuid4()
    Code.objects.create(evaluation=_ev(), uid=uid, name="anggaran")
    _refused(lambda: Code.objects.create(evaluation=_ev(), uid=uid, name="anggaran lagi"))
    assert Code.objects.create(evaluation=other, uid=uid, name="anggaran").uid == uid  # the same default code GUID


def test_a_removed_coding_is_out_of_the_default_manager(users):
    source = _source()
    code = Code.objects.create(evaluation=_ev(), name="anggaran")
    kept = Coding.objects.create(source=source, code=code, coder=users["evaluator"], start=0, end=8)
    gone = Coding.objects.create(source=source, code=code, coder=users["evaluator"], start=9, end=12)
    Coding.objects.filter(pk=gone.pk).update(removed_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC))
    assert list(Coding.objects.all()) == [kept] and list(source.codings.all()) == [kept]
    assert Coding.with_removed.count() == 2


@pytest.mark.django_db(transaction=True)
def test_migration_puts_existing_evidence_into_one_evaluation(units, users):
    """Evidence recorded before evaluations existed lands in one evaluation of its coders' unit,
    over the years of its sources, with its coders as members."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("evidence", "0002_refiqda_groups_coders")])
    old = MigrationExecutor(connection).loader.project_state([("evidence", "0002_refiqda_groups_coders")]).apps
    OldSource, OldCode = old.get_model("evidence", "Source"), old.get_model("evidence", "Code")
    OldCoding, OldInformant = old.get_model("evidence", "Coding"), old.get_model("evidence", "Informant")
    uid = uuid.uuid4()
    text = "Anggaran terbatas."
    source = OldSource.objects.create(uid=uid, type="wawancara", title="Lama", date=dt.date(2023, 5, 2),
                                      text_enc=crypto.encrypt_source_text(uid, text), length=len(text))
    code = OldCode.objects.create(name="anggaran")
    OldInformant.objects.create(code="IK-01")
    OldCoding.objects.create(source=source, code=code, coder_id=users["evaluator"].pk, start=0, end=8)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    evaluation = Evaluation.objects.get()
    assert (evaluation.code, evaluation.unit, evaluation.period_start, evaluation.period_end) == (
        "evaluasi-awal", units["dinas"], dt.date(2023, 1, 1), dt.date(dt.date.today().year + 1, 1, 1))
    assert list(evaluation.members.all()) == [users["evaluator"]]
    assert Source.objects.get().evaluation == evaluation and Code.objects.get().evaluation == evaluation
    assert Informant.objects.get().evaluation == evaluation and Coding.objects.get().source.evaluation == evaluation
