"""Background jobs move from the retired `jobs` app's table to django-tasks' table.

The `jobs` app is gone from the code and from INSTALLED_APPS, so Django no longer loads
its migrations and would leave its table, its migration records and its content type
behind. Where that table exists (a database migrated before the move), this migration
turns every job not yet done into a waiting task, those that had given up included (the
rendition tasks are idempotent and may succeed now), then removes the table, the
records and the content type, so nothing of the app remains. It must run once no
process of the old code is left writing jobs (docs/deploy.md, "Upgrading from the jobs
table").

The reverse changes nothing: the tasks stay queued for the workers, and the old code,
if it is ever deployed again, creates its table afresh with its own migration, whose
record is removed here.
"""

import json

from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

TABLE = "jobs_job"
# The job kinds the old queue knew, and the task each one is now.
TASK_PATHS = {
    "renditions": "pictures.renditions.make_renditions",
    "photo_renditions": "pictures.renditions.make_photo_renditions",
}


def jobs_become_tasks(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if TABLE not in connection.introspection.table_names(cursor):
            return
        # A constant table name.
        waiting_jobs = f"SELECT id, kind, payload FROM {TABLE} WHERE done_at IS NULL ORDER BY id"  # noqa: S608
        cursor.execute(waiting_jobs)
        waiting = cursor.fetchall()
    unknown = sorted({f"#{pk} {kind!r}" for pk, kind, _ in waiting if kind not in TASK_PATHS})
    if unknown:
        raise RuntimeError(
            f"Jobs of unknown kinds are waiting in {TABLE}: {', '.join(unknown)}. No task "
            "runs them; delete those rows, then migrate again."
        )
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    now = timezone.now()
    DBTaskResult.objects.bulk_create(
        DBTaskResult(
            task_path=TASK_PATHS[kind],
            # The table's JSON arrives parsed from PostgreSQL, as text from SQLite.
            args_kwargs={"args": [], "kwargs": json.loads(p) if isinstance(p, str) else p},
            backend_name="default",
            run_after=now,
        )
        for _, kind, p in waiting
    )
    schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")
    MigrationRecorder(connection).migration_qs.filter(app="jobs").delete()
    # Its permissions go with it.
    apps.get_model("contenttypes", "ContentType").objects.filter(app_label="jobs").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0026_seed_story_fixed_uid"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunPython(
            jobs_become_tasks,
            # Nothing to undo: see the module docstring.
            migrations.RunPython.noop,
        )
    ]
