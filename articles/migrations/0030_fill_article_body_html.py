"""Store every existing article's rendered body (pages read the stored copy)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from articles.rendering import refresh_bodies


def render_bodies(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    refresh_bodies(apps.get_model("articles", "Article").objects.all())


def forget_bodies(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Not needed by the field's removal that follows; kept so the step back leaves the
    # rows as they were before it.
    apps.get_model("articles", "Article").objects.update(body_html="")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0029_article_body_html"),
    ]

    operations = [
        migrations.RunPython(render_bodies, forget_bodies),
    ]
