from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """Moving content in and out in bulk: the import and export commands, WordPress
    WXR, demo data and the bulk writer they share. No models: it writes the content
    apps' tables and nothing of its own."""

    name = "interchange"
    verbose_name = "Import and export"
