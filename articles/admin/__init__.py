"""The admin of the articles app, one module a concern:

- article.py: ArticleAdmin, its list and change form (form in forms.py, list filters in
  filters.py, inline rows in inlines.py);
- workflow.py, revisions.py, preview.py: its pages beyond the change form, as mixins of
  ArticleAdmin (each move's page and the bulk actions; history, compare and restore;
  preview and share links), sharing pages.py's lookup and frame;
- topics.py: the topics (taggit's tags) under the newsroom's rules.

The building blocks every app's admin uses are in newsroom.admin_forms. Importing the
modules registers their admins."""

from articles.admin import article, topics

__all__ = ["article", "topics"]
