from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "quotes"
    # Editors find these in the newsroom's section of the admin, as they always have
    # (newsroom.admin_site.LISTED_UNDER): the breadcrumbs say so too.
    verbose_name = "Newsroom"
