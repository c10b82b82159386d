"""Feed writers that clean every text they are given (newsroom.text), so no headline,
name or topic can make a feed invalid XML, nor make Django's writer refuse it with an
error for every reader."""

from __future__ import annotations

from typing import Any

from django.utils import feedgenerator

from newsroom.text import clean_data


class CleansFeedText(feedgenerator.SyndicationFeed):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*clean_data(args), **clean_data(kwargs))

    def add_item(self, *args: Any, **kwargs: Any) -> None:
        super().add_item(*clean_data(args), **clean_data(kwargs))


class RssFeed(CleansFeedText, feedgenerator.Rss201rev2Feed):
    pass


class AtomFeed(CleansFeedText, feedgenerator.Atom1Feed):
    pass
