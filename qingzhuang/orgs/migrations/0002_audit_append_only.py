"""Database triggers that make the audit log append-only.

UPDATE is refused on both databases; DELETE is refused on PostgreSQL. (On SQLite the test
runner empties tables with DELETE between transactional tests, so there the application's
``AuditLog.delete`` guard and the absence of any delete path are what protect it.)
"""

from django.db import migrations

SQLITE_FORWARD = """
CREATE TRIGGER IF NOT EXISTS orgs_auditlog_no_update BEFORE UPDATE ON orgs_auditlog
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS orgs_auditlog_no_update;"

PG_FORWARD = """
CREATE OR REPLACE FUNCTION orgs_auditlog_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit log is append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER orgs_auditlog_no_update BEFORE UPDATE OR DELETE ON orgs_auditlog
FOR EACH ROW EXECUTE FUNCTION orgs_auditlog_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS orgs_auditlog_no_update ON orgs_auditlog;
DROP FUNCTION IF EXISTS orgs_auditlog_append_only();
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
