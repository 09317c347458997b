import pytest
from django.db import DatabaseError, transaction

from qingzhuang.orgs.models import AuditLog


def test_audit_row_cannot_be_saved_again(county):
    entry = AuditLog.objects.first()
    entry.action = "tampered"
    with pytest.raises(PermissionError):
        entry.save()


def test_audit_row_cannot_be_deleted_through_model(county):
    with pytest.raises(PermissionError):
        AuditLog.objects.first().delete()


def test_database_refuses_update(county):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.update(action="tampered")
    assert not AuditLog.objects.filter(action="tampered").exists()


def test_record_outside_transaction_is_refused(transactional_db):
    from qingzhuang.orgs import audit

    with pytest.raises(RuntimeError):
        audit.record(actor=None, action="x")
