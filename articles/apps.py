from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from articles import services, signals  # noqa: F401 - connects the receivers
        from articles.models import next_reader_change
        from newsroom import page_cache
        from newsroom.admin_forms import change_rule

        # The admins of images, authors, speakers and organisations ask who may change
        # one that a published article shows: only this app knows what is published.
        change_rule.answer_with(services.can_change)
        # The page cache keeps pages until the next scheduled change: only the articles
        # know when that is.
        page_cache.next_change.answer_with(next_reader_change)
