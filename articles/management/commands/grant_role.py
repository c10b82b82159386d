from argparse import ArgumentParser, RawDescriptionHelpFormatter
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

ROLES = {"writer": "Writer", "editor": "Editor"}


class Command(BaseCommand):
    help = (
        "Give a user a newsroom role (writer or editor), or take it away with --remove. "
        "Granting a role also lets the user log in to the admin."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        parser.epilog = (
            "examples:\n"
            "  manage.py grant_role alice writer\n"
            "  manage.py grant_role bob editor\n"
            "  manage.py grant_role bob editor --remove\n"
            "  manage.py grant_role carol editor --dry-run"
        )
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help="The user's login name.")
        parser.add_argument("role", help="writer or editor (any case).")
        parser.add_argument("--remove", action="store_true", help="Take the role away instead.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change, change nothing."
        )

    def handle(
        self, *args: Any, username: str, role: str, remove: bool, dry_run: bool, **options: Any
    ) -> None:
        group_name = ROLES.get(role.strip().lower())
        if group_name is None:
            raise CommandError(f"Unknown role {role!r}: use one of {', '.join(ROLES)}.")
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"No user called {username!r}.") from None
        try:
            group = Group.objects.get(name=group_name)
        except Group.DoesNotExist:
            raise CommandError(
                f"The {group_name} group is missing: run manage.py migrate."
            ) from None

        has_role = user.groups.filter(pk=group.pk).exists()
        nothing_to_do = (not has_role) if remove else (has_role and user.is_staff)
        if nothing_to_do:
            state = "does not have" if remove else "already has"
            self.stdout.write(f"{username} {state} the {group_name.lower()} role; nothing to do.")
            return
        if remove:
            message = f"the {group_name.lower()} role from {username}"
            message = f"Would remove {message}" if dry_run else f"Removed {message}"
        else:
            message = f"the {group_name.lower()} role to {username}"
            message = f"Would grant {message}" if dry_run else f"Granted {message}"
        if not dry_run:
            with transaction.atomic():
                if remove:
                    user.groups.remove(group)
                else:
                    user.groups.add(group)
                    if not user.is_staff:
                        user.is_staff = True
                        user.save(update_fields=["is_staff"])
        self.stdout.write(self.style.SUCCESS(f"{message}."))
