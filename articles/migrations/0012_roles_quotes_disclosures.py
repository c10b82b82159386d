"""Roles extended to the trust models: speakers, organisations, citations,
authors' interests and the policy pages.

Writers add quotes, so they can pick and add speakers, see organisations (for an
article's own disclosure) and list sources; editors also keep the registers and
the policy pages. 0004's lists stay as they were; this adds to them.
"""

from importlib import import_module

from django.db import migrations

ROLES_0004 = import_module("articles.migrations.0004_roles")

ADDED = {
    "Writer": {
        "articles": [
            "add_speaker", "view_speaker", "view_organisation",
            "add_citation", "change_citation", "delete_citation", "view_citation",
        ],
    },
    "Editor": {
        "articles": [
            "add_speaker", "change_speaker", "delete_speaker", "view_speaker",
            "add_organisation", "change_organisation", "delete_organisation",
            "view_organisation",
            "add_citation", "change_citation", "delete_citation", "view_citation",
            "view_recordeddisclosure",
        ],
        "authors": [
            "add_authorinterest", "change_authorinterest", "delete_authorinterest",
            "view_authorinterest",
        ],
        "pages": ["add_page", "change_page", "delete_page", "view_page"],
    },
}  # fmt: skip


def permissions(apps, role):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codenames in ADDED[role].items()
        for codename in codenames
    ]


def grant(apps, schema_editor):
    # 0004's function makes sure every permission exists and the groups have 0004's lists.
    ROLES_0004.sync_roles(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    for role in ADDED:
        Group.objects.get(name=role).permissions.add(*permissions(apps, role))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ADDED):
        group.permissions.remove(*permissions(apps, group.name))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_record_published_disclosures"),
        ("authors", "0002_authorinterest"),
        ("pages", "0002_seed_policy_pages"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
