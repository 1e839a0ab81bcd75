"""The search document table and, per database, its full-text index.

SQLite: an FTS5 table over search_document (external content) and the triggers that keep it
in step. PostgreSQL: the unaccent extension, the `storedesk` text search configuration, a
generated tsvector column and its GIN index. See docs/search.md.
"""

import django.db.models.deletion
from django.db import migrations, models

SQLITE_UP = [
    """CREATE VIRTUAL TABLE search_document_fts USING fts5(
        subject, people, extra, body, store_id,
        content='search_document', content_rowid='conversation_id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
        INSERT INTO search_document_fts(rowid, subject, people, extra, body, store_id)
        VALUES (new.conversation_id, new.subject, new.people, new.extra, new.body, new.store_id);
    END""",
    """CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, subject, people, extra, body, store_id)
        VALUES ('delete', old.conversation_id, old.subject, old.people, old.extra, old.body, old.store_id);
    END""",
    """CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, subject, people, extra, body, store_id)
        VALUES ('delete', old.conversation_id, old.subject, old.people, old.extra, old.body, old.store_id);
        INSERT INTO search_document_fts(rowid, subject, people, extra, body, store_id)
        VALUES (new.conversation_id, new.subject, new.people, new.extra, new.body, new.store_id);
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TABLE IF EXISTS search_document_fts",
]

POSTGRES_UP = [
    # A dictionary without a stop-word list: "the" stays searchable, as on SQLite.
    "CREATE TEXT SEARCH DICTIONARY storedesk_stem (TEMPLATE = snowball, Language = english)",
    "CREATE TEXT SEARCH CONFIGURATION storedesk (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION storedesk ALTER MAPPING FOR asciiword, asciihword, hword_asciipart "
    "WITH storedesk_stem",
    "ALTER TEXT SEARCH CONFIGURATION storedesk ALTER MAPPING FOR word, hword, hword_part WITH unaccent, storedesk_stem",
    # Weights: subject A, customer B, lookup terms C, messages D. The body is capped so that no
    # message, however long, can make a tsvector exceed its 1 MB limit (and fail the write).
    """ALTER TABLE search_document ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('storedesk'::regconfig, subject), 'A') ||
        setweight(to_tsvector('storedesk'::regconfig, people), 'B') ||
        setweight(to_tsvector('storedesk'::regconfig, extra), 'C') ||
        setweight(to_tsvector('storedesk'::regconfig, left(body, 200000)), 'D')
    ) STORED""",
    # Serves: search — document @@ tsquery [AND store_id IN (…)], ranked by ts_rank.
    "CREATE INDEX search_document_gin ON search_document USING gin (document)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_document_gin",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS document",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS storedesk",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS storedesk_stem",
]


def _ensure_unaccent(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
        if cursor.fetchone():
            return
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
        if not cursor.fetchone():
            raise RuntimeError(
                "Search needs PostgreSQL's unaccent extension (package postgresql-contrib): install it, "
                "then run the migrations again."
            )
    # Trusted since PostgreSQL 13: the database owner may create it without being a superuser.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


def create_full_text_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = SQLITE_UP
    elif vendor == "postgresql":
        _ensure_unaccent(schema_editor)
        statements = POSTGRES_UP
    else:
        return
    for sql in statements:
        schema_editor.execute(sql)


def drop_full_text_index(apps, schema_editor):
    statements = {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("conversations", "0002_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "conversation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="conversations.conversation",
                    ),
                ),
                ("store_id", models.BigIntegerField()),
                ("subject", models.TextField(blank=True)),
                ("people", models.TextField(blank=True)),
                ("extra", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
            ],
            options={
                "db_table": "search_document",
            },
        ),
        migrations.RunPython(create_full_text_index, drop_full_text_index),
    ]
