"""Rules written twice, once as a query (for lists, feeds, bulk work) and once in Python
(for one loaded row): generated rows on the real database, and the two must agree on
every one of them, so neither can drift from the other."""

import datetime

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from articles.models import Article
from disclosures.models import AuthorInterest, Disclosure
from quotes.models import Quote
from reader import fragments
from reader.models import StoredArticle
from tests.factories import AuthorFactory, OrganisationFactory

EXAMPLES = settings(max_examples=100, deadline=None)

# A few days, so that rows starting, ending or asked about on the same day are common.
FIRST_DAY = datetime.date(2024, 2, 27)
days = st.integers(0, 5).map(lambda n: FIRST_DAY + datetime.timedelta(days=n))
# Hours from now, never 0: a row is written before the rule reads the clock.
hours = st.integers(-3, 3).filter(bool).map(lambda n: datetime.timedelta(hours=n))


def ranges() -> st.SearchStrategy[tuple[datetime.date, datetime.date | None]]:
    """A first day and a last one on or after it, or none (still running)."""
    return st.tuples(days, st.none() | st.integers(0, 3)).map(
        lambda pair: (
            pair[0],
            None if pair[1] is None else pair[0] + datetime.timedelta(days=pair[1]),
        )
    )


class DisclosureRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.organisation = OrganisationFactory()

    @EXAMPLES
    @given(st.lists(ranges(), min_size=1, max_size=5), days)
    def test_valid_on_agrees_with_is_valid_on(self, spans, day) -> None:
        """The register's entries valid on a day, by query and by entry."""
        Disclosure.objects.bulk_create(
            Disclosure(
                organisation=self.organisation,
                kind=Disclosure.Kind.PARTNER,
                statement="A partner",
                valid_from=start,
                valid_until=end,
            )
            for start, end in spans
        )
        by_query = set(Disclosure.objects.valid_on(day).values_list("pk", flat=True))
        by_entry = {entry.pk for entry in Disclosure.objects.all() if entry.is_valid_on(day)}
        self.assertEqual(by_query, by_entry)


class AuthorInterestRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.author = AuthorFactory()
        cls.organisation = OrganisationFactory()

    @EXAMPLES
    @given(
        st.lists(
            st.tuples(ranges(), st.sampled_from(AuthorInterest.Kind.values)), min_size=1, max_size=5
        ),
        days,
    )
    def test_carried_on_agrees_with_is_carried_on(self, interests, day) -> None:
        """An author's interests an article published on a day carries (former employers
        included), by query and by interest."""
        AuthorInterest.objects.bulk_create(
            AuthorInterest(
                author=self.author,
                organisation=self.organisation,
                kind=kind,
                statement="An interest",
                started_on=start,
                ended_on=end,
            )
            for (start, end), kind in interests
        )
        by_query = set(AuthorInterest.objects.carried_on(day).values_list("pk", flat=True))
        by_row = {row.pk for row in AuthorInterest.objects.all() if row.is_carried_on(day)}
        self.assertEqual(by_query, by_row)


# An article's publishing state: status, publication time, embargo, go-live side effects
# run or not. A published article always has a publication time (a database constraint).
states = st.tuples(
    st.sampled_from(Article.Status.values), st.none() | hours, st.none() | hours, st.booleans()
).filter(lambda state: state[0] != Article.Status.PUBLISHED or state[1] is not None)


class VisibilityRuleTests(TestCase):
    """The visibility rule: published(), with its Python twin is_live, and what is
    built on them."""

    def write(
        self,
        generated: list[tuple[str, datetime.timedelta | None, datetime.timedelta | None, bool]],
    ) -> None:
        now = timezone.now()
        articles = Article.objects.bulk_create(
            Article(
                headline=f"Story {n}",
                slug=f"story-{n}",
                status=status,
                published_at=None if published is None else now + published,
                embargo_until=None if embargo is None else now + embargo,
                went_live_at=now - datetime.timedelta(hours=4) if went_live else None,
            )
            for n, (status, published, embargo, went_live) in enumerate(generated)
        )
        Quote.objects.bulk_create(
            Quote(article=article, key="said", text="Words.") for article in articles
        )

    @EXAMPLES
    @given(st.lists(states, min_size=1, max_size=6))
    def test_published_agrees_with_is_live(self, generated) -> None:
        self.write(generated)
        by_query = set(Article.objects.published().values_list("pk", flat=True))
        by_article = {article.pk for article in Article.objects.all() if article.is_live}
        self.assertEqual(by_query, by_article)

    @EXAMPLES
    @given(st.lists(states, min_size=1, max_size=6))
    def test_published_quotes_are_those_of_live_articles(self, generated) -> None:
        self.write(generated)
        by_query = set(Quote.objects.published().values_list("pk", flat=True))
        by_quote = {q.pk for q in Quote.objects.select_related("article") if q.article.is_live}
        self.assertEqual(by_query, by_quote)

    @EXAMPLES
    @given(st.lists(states, min_size=1, max_size=6))
    def test_awaiting_go_live_are_live_articles_not_yet_announced(self, generated) -> None:
        self.write(generated)
        by_query = set(Article.objects.awaiting_go_live().values_list("pk", flat=True))
        by_article = {a.pk for a in Article.objects.all() if a.is_live and a.went_live_at is None}
        self.assertEqual(by_query, by_article)

    @EXAMPLES
    @given(st.lists(states, min_size=1, max_size=6))
    def test_next_visibility_change_is_never_after_a_go_live(self, generated) -> None:
        """The page cache's next change (a query) comes no later than the first moment
        a scheduled or embargoed article goes live (goes_live_at, in Python), so no
        cached page outlives an article's arrival."""
        self.write(generated)
        now = timezone.now()
        coming = [
            a.goes_live_at
            for a in Article.objects.all()
            if a.goes_live_at is not None and a.goes_live_at > now
        ]
        change = Article.objects.next_visibility_change()
        if coming:
            self.assertIsNotNone(change)
            self.assertLessEqual(change, min(coming))


# A stored row of an article's parts: none, or its fingerprint current or not, its
# version the article's or an older one, and when it was rendered.
stored_rows = st.none() | st.tuples(st.booleans(), st.booleans(), hours)


class StoredPartsRuleTests(TestCase):
    """Whether an article's stored parts can be served: fragments.current, the query
    listings read their cards with, and is_current, for an article read with its row."""

    @EXAMPLES
    @given(st.lists(st.tuples(states, stored_rows), min_size=1, max_size=6))
    def test_current_agrees_with_is_current(self, generated) -> None:
        self.write([state for state, _ in generated])
        now = timezone.now()
        StoredArticle.objects.bulk_create(
            StoredArticle(
                article=article,
                fingerprint=fragments.fingerprint() if same_fingerprint else "outdated",
                article_version=article.version if same_version else article.version - 1,
                rendered_at=now + rendered,
                **dict.fromkeys(fragments.PARTS, ""),
            )
            for article, (_, row) in zip(self.written(), generated, strict=True)
            if row is not None
            for same_fingerprint, same_version, rendered in [row]
        )
        current = fragments.current(fragments.fingerprint())
        by_query = set(Article.objects.filter(current).values_list("pk", flat=True))
        by_row = {
            a.pk for a in fragments.for_cards(Article.objects.all()) if fragments.is_current(a)
        }
        self.assertEqual(by_query, by_row)

    write = VisibilityRuleTests.write

    def written(self) -> list[Article]:
        """The articles write() made, in its order (not the migrations' seed story)."""
        return list(Article.objects.filter(slug__startswith="story-").order_by("slug"))
