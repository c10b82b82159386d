"""The admin of the articles app, one module a concern:

- article.py: ArticleAdmin, its list and change form (form in forms.py, list filters in
  filters.py, inline rows in inlines.py);
- workflow.py, revisions.py, preview.py: its pages beyond the change form, as mixins of
  ArticleAdmin (each move's page and the bulk actions; history, compare and restore;
  preview and share links), sharing pages.py's lookup and frame;
- topics.py: the topics (taggit's tags) under the newsroom's rules;
- others.py: images, disclosures, organisations and speakers;
- common.py: the building blocks every admin uses, authors' too.

Importing the modules registers their admins."""

from articles.admin import article, others, topics
from articles.admin.common import (
    HTTPS_URLS,
    EditorsChangeWhatReadersSee,
    SafeAutocomplete,
    ShowsMediaWriteErrors,
)

__all__ = [
    "HTTPS_URLS",
    "EditorsChangeWhatReadersSee",
    "SafeAutocomplete",
    "ShowsMediaWriteErrors",
    "article",
    "others",
    "topics",
]
