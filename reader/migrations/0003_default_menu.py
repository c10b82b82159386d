from django.contrib.auth.management import create_permissions
from django.db import migrations

# A fresh install's menu: the latest stories, the kinds of work the seeded story shows,
# and the archive. Editors change it in the admin (Reader site > Menu items).
DEFAULT_MENU = [
    ("home", "", "Latest"),
    ("kind", "news", ""),
    ("kind", "analysis", ""),
    ("archive", "", ""),
]
EDITOR_PERMISSIONS = ["add_menuitem", "change_menuitem", "delete_menuitem", "view_menuitem"]


def _editor_permissions(apps):
    app_config = apps.get_app_config("reader")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="reader", codename__in=EDITOR_PERMISSIONS
    )


def add_default_menu(apps, schema_editor):
    MenuItem = apps.get_model("reader", "MenuItem")
    if not MenuItem.objects.exists():
        MenuItem.objects.bulk_create(
            MenuItem(target=target, kind=kind, label=label, position=10 * (number + 1))
            for number, (target, kind, label) in enumerate(DEFAULT_MENU)
        )
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Editor"):
        group.permissions.add(*_editor_permissions(apps))


def remove_default_menu(apps, schema_editor):
    MenuItem = apps.get_model("reader", "MenuItem")
    MenuItem.objects.all().delete()
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Editor"):
        group.permissions.remove(*_editor_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("reader", "0002_menu"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(add_default_menu, remove_default_menu)]
