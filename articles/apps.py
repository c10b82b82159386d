from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from articles import signals  # noqa: F401 - connects the receivers
