"""On PostgreSQL, stored RFC 3161 tokens are append-only too (the function of 0002, now
naming the table it guards)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION crimebook_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_timestamp_append_only_row BEFORE UPDATE OR DELETE ON audit_audittimestamp
  FOR EACH ROW EXECUTE FUNCTION crimebook_audit_append_only();
"""

BACKWARD = "DROP TRIGGER IF EXISTS audit_timestamp_append_only_row ON audit_audittimestamp;"


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_audittimestamp")]
    operations = [migrations.RunPython(forward, backward)]
