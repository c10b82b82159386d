from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "reader"
    verbose_name = "Reader site"

    def ready(self) -> None:
        import reader.signals  # noqa: F401 - connects the receivers
        from articles.admin.preview import article_page, structured_data_of
        from reader.structured_data import news_article
        from reader.views import preview_page

        # The article admin's preview shows the page readers will see, and the structured
        # data it will carry.
        article_page.answer_with(preview_page)
        structured_data_of.answer_with(news_article)
