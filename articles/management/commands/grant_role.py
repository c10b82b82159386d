import getpass
import os
import sys
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

ROLES = {"writer": "Writer", "editor": "Editor"}
# Scripts hand the new account's password over in the environment, never on the
# command line, where every user of the machine could read it in the process list.
PASSWORD_VARIABLE = "NEWSROOM_PASSWORD"  # noqa: S105 - a variable name, not a password


class Command(BaseCommand):
    help = (
        "Give a user a newsroom role (writer or editor), or take it away with --remove. "
        "Granting a role also lets the user log in to the admin; --create makes the "
        "account first if there is none."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        parser.epilog = (
            "examples:\n"
            "  manage.py grant_role alice editor --create\n"
            "  manage.py grant_role bob writer\n"
            "  manage.py grant_role bob editor --remove\n"
            "  manage.py grant_role carol editor --dry-run\n"
            f"  {PASSWORD_VARIABLE}=... manage.py grant_role dave writer --create --no-input"
        )
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help="The user's login name.")
        parser.add_argument("role", help="writer or editor (any case).")
        parser.add_argument("--remove", action="store_true", help="Take the role away instead.")
        parser.add_argument(
            "--create",
            action="store_true",
            help=(
                "Create the account if there is none. Its password comes from the "
                f"{PASSWORD_VARIABLE} environment variable if set, otherwise it is asked "
                "for twice at the terminal."
            ),
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=f"Never prompt: --create then needs {PASSWORD_VARIABLE}.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change, change nothing."
        )

    def handle(
        self,
        *args: Any,
        username: str,
        role: str,
        remove: bool,
        create: bool,
        interactive: bool,
        dry_run: bool,
        **options: Any,
    ) -> None:
        group_name = ROLES.get(role.strip().lower())
        if group_name is None:
            raise CommandError(f"Unknown role {role!r}: use one of {', '.join(ROLES)}.")
        if create and remove:
            raise CommandError("--create and --remove cannot be used together.")
        try:
            group = Group.objects.get(name=group_name)
        except Group.DoesNotExist:
            raise CommandError(
                f"The {group_name} group is missing: run manage.py migrate."
            ) from None
        user_model = get_user_model()
        user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            if not create:
                raise CommandError(
                    f"No user called {username!r}. To create the account and grant the "
                    f"role: manage.py grant_role {username} {role} --create"
                )
            self.create_with_role(username, group, interactive=interactive, dry_run=dry_run)
            return

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

    def create_with_role(
        self, username: str, group: Group, *, interactive: bool, dry_run: bool
    ) -> None:
        role = group.name.lower()
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(f"Would create the account {username} with the {role} role.")
            )
            return
        user_model = get_user_model()
        user = user_model(**{user_model.USERNAME_FIELD: username}, is_staff=True)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            raise CommandError(f"Cannot create {username!r}: {' '.join(error.messages)}") from None
        user.set_password(self.new_password(user, interactive=interactive))
        with transaction.atomic():
            user.save()
            user.groups.add(group)
        self.stdout.write(
            self.style.SUCCESS(f"Created the account {username} with the {role} role.")
        )

    def new_password(self, user: Any, *, interactive: bool) -> str:
        """The password from the environment, or asked for twice at a terminal."""
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(
                    f"{PASSWORD_VARIABLE} is not accepted: {' '.join(error.messages)}"
                ) from None
            return password
        if not (interactive and sys.stdin.isatty()):
            raise CommandError(
                f"No password for the new account {user.get_username()!r}: set "
                f"{PASSWORD_VARIABLE} in the environment, or run the command at a "
                "terminal to be asked for one."
            )
        while True:
            try:
                password = getpass.getpass("Password: ")
                again = getpass.getpass("Password (again): ")
            except (EOFError, KeyboardInterrupt):
                raise CommandError("No account created.") from None
            if password != again:
                self.stderr.write("The passwords do not match; try again.")
                continue
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password
