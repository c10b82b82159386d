from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """The `backup` and `restore` commands: the whole site (database content and media)
    in one archive. No models of its own."""

    name = "backups"
    verbose_name = "Backups"
