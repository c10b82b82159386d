"""Writer and Editor groups with exactly the permissions of their role.

Running it sets each group's permissions to the list below, so a later change
to a role is a new migration calling sync_roles with the new lists. Object-level
rules (a writer edits only their own drafts) live in the admin and services.
"""

from importlib import import_module

from django.db import migrations

ROLES = {
    "Writer": {
        "articles": [
            "add_article", "change_article", "view_article",
            "add_byline", "change_byline", "delete_byline", "view_byline",
            "add_quote", "change_quote", "delete_quote", "view_quote",
            "add_image", "change_image", "view_image",
            "view_disclosure", "view_correction",
        ],
        "authors": ["view_author"],
        "taggit": ["add_tag", "view_tag"],
    },
    "Editor": {
        "articles": [
            "add_article", "change_article", "delete_article", "view_article",
            "publish_article",
            "add_byline", "change_byline", "delete_byline", "view_byline",
            "add_quote", "change_quote", "delete_quote", "view_quote",
            "add_image", "change_image", "delete_image", "view_image",
            "add_disclosure", "change_disclosure", "delete_disclosure", "view_disclosure",
            "add_correction", "change_correction", "delete_correction", "view_correction",
            "view_checklistoverride",
        ],
        "authors": [
            "add_author", "change_author", "delete_author", "view_author",
            "add_authorlink", "change_authorlink", "delete_authorlink", "view_authorlink",
        ],
        "taggit": ["add_tag", "change_tag", "delete_tag", "view_tag"],
    },
}  # fmt: skip


def sync_roles(apps, schema_editor):
    # The squashed migration's function, which sets the roles on new databases.
    import_module("articles.migrations.0001_squashed_0028_markdown_limits").set_roles(apps, ROLES)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_workflow"),
        ("authors", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(sync_roles, remove_roles)]
