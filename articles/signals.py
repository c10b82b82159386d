"""Signals other parts of the site subscribe to for side effects (cache purge, notifications)."""

from django.dispatch import Signal

# Sent once per article, after the commit that marks it live, by publish_scheduled.
# Arguments: sender=Article, article=<Article>.
article_went_live = Signal()
