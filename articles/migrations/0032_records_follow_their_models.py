"""Organisation leaves articles for disclosures (state only, as in 0029), and what
names the moved models by app follows them:

- content types (articles.image becomes pictures.image, ...), and with them the
  permissions the roles hold, the admin's history and django-reversion's versions;
- the model names inside stored revisions ("model": "articles.quote"), so that old
  revisions still restore;
- queued background tasks, which name their function by import path.

Each step has its reverse, so migrating back to 0028 leaves every row as it was."""

from django.db import migrations

MOVED = {
    ("articles", "image"): "pictures",
    ("articles", "rendition"): "pictures",
    ("articles", "quote"): "quotes",
    ("articles", "speaker"): "quotes",
    ("articles", "organisation"): "disclosures",
    ("articles", "disclosure"): "disclosures",
    ("articles", "recordeddisclosure"): "disclosures",
    ("authors", "authorinterest"): "disclosures",
}
TASKS = {
    "articles.renditions.make_renditions": "pictures.renditions.make_renditions",
    "articles.renditions.make_photo_renditions": "pictures.renditions.make_photo_renditions",
}


def relabel(apps, schema_editor, moves, tasks):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Version = apps.get_model("reversion", "Version")
    LogEntry = apps.get_model("admin", "LogEntry")
    TaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for (old_app, model), new_app in moves.items():
        old = ContentType.objects.filter(app_label=old_app, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=new_app, model=model).first()
        if new is None:
            old.app_label = new_app
            old.save(update_fields=["app_label"])
        else:
            # Code of the new layout ran before this migration (a deploy that starts the
            # app servers first) and made the new content type: everything moves onto it.
            merge(Permission, old, new)
            Version.objects.filter(content_type=old).update(content_type=new)
            LogEntry.objects.filter(content_type=old).update(content_type=new)
            old.delete()
        label, relabelled = f'"model": "{old_app}.{model}"', f'"model": "{new_app}.{model}"'
        versions = Version.objects.filter(
            content_type__app_label=new_app, content_type__model=model
        )
        for version in versions.iterator():
            version.serialized_data = version.serialized_data.replace(label, relabelled)
            version.save(update_fields=["serialized_data"])
    for old_path, new_path in tasks.items():
        TaskResult.objects.filter(task_path=old_path).update(task_path=new_path)


def merge(Permission, old, new):
    """The old content type's permissions onto the new one: the groups and users holding
    one hold its namesake instead."""
    for permission in Permission.objects.filter(content_type=old):
        namesake = Permission.objects.filter(content_type=new, codename=permission.codename).first()
        if namesake is None:
            permission.content_type = new
            permission.save(update_fields=["content_type"])
            continue
        namesake.group_set.add(*permission.group_set.all())
        namesake.user_set.add(*permission.user_set.all())
        permission.delete()


def forwards(apps, schema_editor):
    relabel(apps, schema_editor, MOVED, TASKS)


def backwards(apps, schema_editor):
    back = {(new_app, model): old_app for (old_app, model), new_app in MOVED.items()}
    relabel(apps, schema_editor, back, {new: old for old, new in TASKS.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0031_models_move_to_their_apps"),
        ("authors", "0004_interests_move_to_disclosures"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
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
