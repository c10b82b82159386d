"""check_content: finds what editors must fix, and exits non-zero when it finds any."""

import contextlib
import datetime
import json
from io import StringIO

from django.core.management.base import CommandError
from django.test import TestCase

from articles.models import Article
from disclosures.models import AuthorInterest, Disclosure
from pictures.models import Image
from tests.base import SEED_SLUG, run_command
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    AuthorInterestFactory,
    DisclosureFactory,
    ImageFactory,
    OrganisationFactory,
    QuoteFactory,
    SpeakerFactory,
)


def problems() -> list[dict[str, object]]:
    """The problems check_content reports, from its JSON output."""
    output = StringIO()
    with contextlib.suppress(CommandError):
        run_command("check_content", "--format", "json", stdout=output)
    return json.loads(output.getvalue())["problems"]


class CleanContentTests(TestCase):
    def test_the_seeded_site_is_clean(self) -> None:
        """Exit status 0 and a message when nothing is wrong."""
        output, _ = run_command("check_content")
        self.assertIn("No content problems found.", output)
        self.assertEqual(problems(), [])

    def test_one_problem_is_counted_in_the_singular(self) -> None:
        ImageFactory(key="no-alt", alt_text="")
        with self.assertRaisesMessage(CommandError, "1 content problem found."):
            run_command("check_content")

    def test_good_links_markers_and_decorative_images_pass(self) -> None:
        author = AuthorFactory(slug="ana")
        ImageFactory(key="chart")
        ImageFactory(key="divider", alt_text="", is_decorative=True)
        article = ArticleFactory(
            body=(
                f"See [the story](/articles/{SEED_SLUG}/), [Ana](/authors/ana/ 'Ana'), "
                '<a href="/topics/salesforce/">Salesforce</a> and [x](https://example.com/nope/).'
                "\n\n[[quote:q]]\n\n[[image:chart]]\n\n[ref]: /articles/" + SEED_SLUG + "/#top"
            ),
            authors=[author],
        )
        QuoteFactory(
            article=article, key="q", is_pull_quote=False, speaker=SpeakerFactory(slug="jo")
        )
        organisation = OrganisationFactory(slug="example")
        article.body += (
            f"\n\n[Jo](/speakers/jo/) of [{organisation}](/organisations/example/), "
            "[our ethics policy](/about/ethics/)."
        )
        article.save()
        self.assertEqual(problems(), [])


class ProblemTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        ArticleFactory(slug="a-draft", status=Article.Status.DRAFT, published_at=None)
        cls.linking = ArticleFactory(
            slug="linking",
            body=(
                "[gone](/articles/no-such-story/) [draft](/articles/a-draft/) "
                "[nowhere](/no/such/page/) [who](/authors/nobody/) [said](/speakers/nobody/) "
                "[org](/organisations/nobody/) [policy](/about/nothing/)\n\n"
                "[[quote:missing]]\n\n[[image:missing-picture]]"
            ),
        )
        ImageFactory(key="no-alt", alt_text="")
        ArticleFactory(slug="no-byline").bylines.all().delete()
        ArticleFactory(slug="no-standfirst", standfirst="  ")
        org = OrganisationFactory(name="Example Corp", slug="example-corp")
        disclosed = ArticleFactory(
            slug="disclosed", published_at=datetime.datetime(2021, 6, 15, tzinfo=datetime.UTC)
        )
        DisclosureFactory(
            organisation=org, article=disclosed, statement="Began after the article",
            valid_from=datetime.date(2022, 1, 1),
        )  # fmt: skip
        DisclosureFactory(
            organisation=org, statement="Typo year", valid_from=datetime.date(218, 1, 1)
        )
        AuthorInterestFactory(
            organisation=org, statement="Interest typo", ended_on=datetime.date(2919, 1, 1)
        )

    def test_each_problem_is_found_once(self) -> None:
        found = sorted((p["check"], p["name"], p["message"]) for p in problems())
        self.assertEqual(
            found,
            [
                ("broken-link", "linking", "links to /about/nothing/, where there is no page"),
                ("broken-link", "linking",
                 "links to /articles/a-draft/, an article that is not public"),
                ("broken-link", "linking",
                 "links to /articles/no-such-story/, where there is no article"),
                ("broken-link", "linking", "links to /authors/nobody/, where there is no author"),
                ("broken-link", "linking", "links to /no/such/page/, where there is no page"),
                ("broken-link", "linking",
                 "links to /organisations/nobody/, where there is no organisation"),
                ("broken-link", "linking",
                 "links to /speakers/nobody/, where there is no speaker"),
                ("disclosure-dates", "Began after the article",
                 "is not valid on 2021-06-15, when its article 'disclosed' was published "
                 "(2022-01-01 to now)"),
                ("disclosure-dates", "Interest typo", "ended_on 2919-01-01 is not a plausible date"),  # noqa: E501
                ("disclosure-dates", "Typo year", "valid_from 0218-01-01 is not a plausible date"),
                ("image-alt", "no-alt", "has no alt text and is not marked decorative"),
                ("image-marker", "linking",
                 "[[image:missing-picture]] places an image that does not exist"),
                ("no-author", "no-byline", "is published without an author"),
                ("no-standfirst", "no-standfirst", "is published without a standfirst"),
                ("quote-marker", "linking", "[[quote:missing]] places a quote it does not have"),
            ],
        )  # fmt: skip

    def test_problems_exit_non_zero_with_a_count(self) -> None:
        output = StringIO()
        with self.assertRaisesMessage(CommandError, "15 content problems found.") as caught:
            run_command("check_content", stdout=output)
        self.assertEqual(caught.exception.returncode, 1)
        self.assertIn(
            f"quote-marker: article linking [[quote:missing]] places a quote it does not have "
            f"(/admin/articles/article/{self.linking.pk}/change/)",
            output.getvalue(),
        )

    def test_json_is_complete_for_machines(self) -> None:
        output = StringIO()
        with self.assertRaises(CommandError):
            run_command("check_content", "--format", "json", stdout=output)
        report = json.loads(output.getvalue())
        self.assertEqual(report["count"], 15)
        self.assertEqual(
            set(report["problems"][0]), {"check", "model", "id", "name", "message", "admin_url"}
        )

    def test_fixing_the_content_clears_the_problems(self) -> None:
        """The checks report the current state: fix it and they go quiet."""
        Article.objects.exclude(slug=SEED_SLUG).delete()
        Disclosure.objects.filter(organisation__slug="example-corp").delete()
        AuthorInterest.objects.all().delete()
        Image.objects.filter(key="no-alt").update(alt_text="A chart")
        output, _ = run_command("check_content")
        self.assertIn("No content problems found.", output)
