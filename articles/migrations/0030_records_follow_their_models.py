"""Organisation leaves articles for disclosures (state only, as in 0029), and what
names the moved models by app follows them:

- content types (articles.image becomes media.image, ...), and with them the
  permissions the roles hold, the admin's history and django-reversion's versions;
- the model names inside stored revisions ("model": "articles.quote"), so that old
  revisions still restore;
- queued background tasks, which name their function by import path.

Each step has its reverse, so migrating back to 0028 leaves every row as it was."""

from django.db import migrations

MOVED = {
    ("articles", "image"): "media",
    ("articles", "rendition"): "media",
    ("articles", "quote"): "quotes",
    ("articles", "speaker"): "quotes",
    ("articles", "organisation"): "disclosures",
    ("articles", "disclosure"): "disclosures",
    ("articles", "recordeddisclosure"): "disclosures",
    ("authors", "authorinterest"): "disclosures",
}
TASKS = {
    "articles.renditions.make_renditions": "media.renditions.make_renditions",
    "articles.renditions.make_photo_renditions": "media.renditions.make_photo_renditions",
}


def relabel(apps, schema_editor, moves, tasks):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Version = apps.get_model("reversion", "Version")
    TaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for (old_app, model), new_app in moves.items():
        # A content type under the new label exists only if something created it
        # before this ran (post_migrate on a fresh database creates it after).
        if ContentType.objects.filter(app_label=new_app, model=model).exists():
            continue
        content_type = ContentType.objects.filter(app_label=old_app, model=model).first()
        if content_type is None:
            continue
        content_type.app_label = new_app
        content_type.save(update_fields=["app_label"])
        old, new = f'"model": "{old_app}.{model}"', f'"model": "{new_app}.{model}"'
        for version in Version.objects.filter(content_type=content_type).iterator():
            version.serialized_data = version.serialized_data.replace(old, new)
            version.save(update_fields=["serialized_data"])
    for old, new in tasks.items():
        TaskResult.objects.filter(task_path=old).update(task_path=new)


def forwards(apps, schema_editor):
    relabel(apps, schema_editor, MOVED, TASKS)


def backwards(apps, schema_editor):
    back = {(new_app, model): old_app for (old_app, model), new_app in MOVED.items()}
    relabel(apps, schema_editor, back, {new: old for old, new in TASKS.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0029_models_move_to_their_apps"),
        ("authors", "0004_interests_move_to_disclosures"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Organisation")],
        ),
        migrations.RunPython(forwards, backwards),
    ]
