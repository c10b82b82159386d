from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    # Editors find these in the newsroom's section of the admin, as they always have
    # (newsroom.admin_site.LISTED_UNDER): the breadcrumbs say so too.
    verbose_name = "Newsroom"
