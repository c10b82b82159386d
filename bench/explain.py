#!/usr/bin/env python3
"""EXPLAIN ANALYZE the reader site's hot queries on PostgreSQL at N articles and flag
sequential scans of the big tables. Prints plans, asserts nothing.

    .venv/bin/python bench/explain.py --articles 100000

A throwaway cluster is seeded with seed_demo (bench/database.py) and removed afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.database import (
    production_env,
    seeded_database,
    stop_cleanly_on_sigterm,
    temporary_folder,
)

# Tables that grow with the archive: a sequential scan of one is a page that slows down.
BIG_TABLES = (
    "articles_article", "articles_taggedarticle", "articles_byline", "articles_quote",
    "articles_searchword",
)  # fmt: skip


@dataclass
class Statement:
    """A statement the ORM does not make (search's nearest words) or one compiled once
    (a search), explained as a queryset is."""

    sql: str
    params: list[str]

    def explain(self, *, analyze: bool) -> str:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {'ANALYZE ' if analyze else ''}{self.sql}", self.params)
            return "\n".join(line for (line,) in cursor.fetchall())


def hot_queries() -> dict[str, Callable[[], object]]:
    """The querysets behind the reader pages, unevaluated (Django is set up by now):
    listings read their cards' stored parts in their one query (reader.fragments)."""
    from django.db.models import Count
    from taggit.models import Tag

    from articles.models import Article
    from articles.search import Filters, names_like, nearest_words_statement, search_statement
    from authors.models import Author
    from reader.fragments import for_cards

    live = Article.objects.published()
    cards = for_cards(live)
    tag = Tag.objects.annotate(n=Count("articles_taggedarticle_items")).order_by("-n").first()
    author = Author.objects.annotate(n=Count("bylines")).order_by("-n").first()
    newest = live.order_by("-published_at").values_list("published_at", flat=True).first()
    return {
        "article page": lambda: live.select_related("stored").filter(
            slug=live.values_list("slug", flat=True).first()
        ),
        "home: latest stories": lambda: cards[:21],
        # A later page picks its articles' keys, then reads those with their parts.
        "home, page 500: its articles": lambda: live.values_list("pk")[10_000:10_021],
        "topic page": lambda: for_cards(live.on_topic(tag))[:21],
        "author page": lambda: for_cards(live.by_author(author))[:21],
        "day archive": lambda: for_cards(live.filter(published_at__date=newest.date()))[:21],
        # A search finds its matches' keys, then reads the page's cards by key.
        "search, rare word": lambda: Statement(*search_statement("benioff")),
        "search, common word": lambda: Statement(*search_statement("customers")),
        "search, common word, topic and kind, newest first": lambda: Statement(
            *search_statement("customers", Filters(topic=tag.slug, kind="analysis"), by_date=True)
        ),
        "search, a kind alone": lambda: Statement(*search_statement("", Filters(kind="opinion"))),
        "search: the known words nearest a misspelt query": lambda: Statement(
            *nearest_words_statement(["salesforse", "custmers"])
        ),
        "search: names like the words": lambda: names_like(
            {"salesforse": "salesforce", "custmers": "customers"}
        ),
        "article page: its topics' newest stories (related stories, once a generation)": (
            lambda: for_cards(live, ("section_card",)).newest_by_topic(
                list(Tag.objects.filter(article=live.first()).values_list("pk", flat=True)), 5
            )
        ),
        "RSS feed": lambda: live.for_listing()[:20],
        "page cache: next scheduled change": lambda: Article.objects.filter(
            status="published", published_at__gt=newest
        ).order_by("published_at")[:1],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        help="A PostgreSQL database seeded already (seed_demo, then VACUUM ANALYZE): "
        "explain there instead of seeding a throwaway cluster.",
    )
    args = parser.parse_args(argv)
    stop_cleanly_on_sigterm()
    with contextlib.ExitStack() as stack:
        name = stack.enter_context(temporary_folder())
        url = args.database_url or stack.enter_context(
            seeded_database("postgres", args.articles, Path(name))
        )
        os.environ.update(production_env(url, Path(name)))
        import django

        django.setup()
        flagged = []
        for label, queryset in hot_queries().items():
            plan = queryset().explain(analyze=True)  # type: ignore[attr-defined]
            scans = [t for t in BIG_TABLES if re.search(rf"Seq Scan on {t}\b", plan)]
            print(f"\n== {label}{'  <-- SEQ SCAN: ' + ', '.join(scans) if scans else ''}\n{plan}")
            if scans:
                flagged.append(label)
        from articles.models import Article

        articles = Article.objects.count()
        print(f"\n{articles:,} articles. Sequential scans of big tables: {flagged or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
