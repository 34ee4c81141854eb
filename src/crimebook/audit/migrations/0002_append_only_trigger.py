"""On PostgreSQL, reject UPDATE and DELETE of audit rows at the database.

TRUNCATE is left to the table owner (test databases are flushed with it); whoever owns the
table can disable triggers anyway, which is why ``audit verify`` and timestamped heads matter.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION crimebook_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_auditentry is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only_row BEFORE UPDATE OR DELETE ON audit_auditentry
  FOR EACH ROW EXECUTE FUNCTION crimebook_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_append_only_row ON audit_auditentry;
DROP FUNCTION IF EXISTS crimebook_audit_append_only();
"""


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
