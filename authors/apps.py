from django.apps import AppConfig


class AuthorsConfig(AppConfig):
    name = "authors"
    verbose_name = "Authors"

    def ready(self) -> None:
        from authors import signals  # noqa: F401 - connects the receivers
