"""The article body is rendered when something it shows changes and stored; the page
shows the stored copy. Each test changes one thing the body shows, the way editors or
commands change it, and reads the article page as a reader would."""

import json
import tempfile
from pathlib import Path

import reversion
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from articles import services
from articles.models import Article
from articles.rendering import placed_images
from newsroom.markdown import marker_keys
from pictures.models import Image, Rendition
from quotes.models import Speaker
from tests.base import DATA, SEED_SLUG, run_command
from tests.factories import (
    ArticleFactory,
    ImageFactory,
    QuoteFactory,
    SpeakerFactory,
    png_bytes,
)
from tests.test_admin_trust import AdminTestCase
from tests.test_quote_figure import rendered_with_templates


class StoredBodyTestCase(TestCase):
    def page(self, article: Article) -> str:
        """The body as the article page shows it."""
        html = self.client.get(Article.objects.get(pk=article.pk).get_absolute_url())
        return html.content.decode().split('<div class="article__body">')[1].split("</div>")[0]


class QuoteInBodyTests(StoredBodyTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.speaker = SpeakerFactory(name="Marc Benioff", slug="marc-benioff")
        cls.article = ArticleFactory(slug="ohana", body="Intro.\n\n[[quote:said]]\n\nEnd.")
        cls.quote = QuoteFactory(
            article=cls.article,
            key="said",
            text="First words.",
            speaker=cls.speaker,
            is_pull_quote=False,
        )

    def test_the_body_as_saved(self) -> None:
        """An edited body is shown as saved, its quote still placed."""
        self.article.body = "New intro.\n\n[[quote:said]]"
        self.article.save()
        body = self.page(self.article)
        self.assertIn("New intro.", body)
        self.assertIn("First words.", body)

    def test_a_quote_added_after_its_marker(self) -> None:
        """A quote saved after the article whose body places it appears in the body (the
        admin saves the article first, then its quotes: no warning meanwhile)."""
        with self.assertNoLogs("articles.rendering", "WARNING"):
            article = ArticleFactory(body="Intro.\n\n[[quote:later]]")
        self.assertNotIn("Added later.", self.page(article))
        QuoteFactory(article=article, key="later", text="Added later.", is_pull_quote=False)
        self.assertIn("Added later.", self.page(article))

    def test_an_edited_quote(self) -> None:
        self.quote.text = "Second words."
        self.quote.source_title = "Letter to staff"
        self.quote.save()
        body = self.page(self.article)
        self.assertIn("Second words.", body)
        self.assertIn('<cite itemprop="citation">Letter to staff</cite>', body)
        self.assertNotIn("First words.", body)

    def test_a_quote_whose_key_changed_leaves_the_old_marker(self) -> None:
        self.assertIn("First words.", self.page(self.article))
        self.quote.key = "other"
        self.quote.save()
        self.assertNotIn("First words.", self.page(self.article))

    def test_a_deleted_quote(self) -> None:
        """Its marker is left out of the body, and the log says so."""
        self.assertIn("First words.", self.page(self.article))
        with self.assertLogs("articles.rendering", "WARNING") as logs:
            self.quote.delete()
        self.assertEqual(
            logs.output,
            ["WARNING:articles.rendering:Unmatched quote marker 'said' left out of the page"],
        )
        self.assertNotIn("First words.", self.page(self.article))

    def test_a_renamed_speaker(self) -> None:
        """The placed quote names its speaker, links to their page and gives their kind."""
        self.speaker.name = "Salesforce"
        self.speaker.slug = "salesforce"
        self.speaker.kind = Speaker.Kind.ORGANISATION
        self.speaker.save()
        body = self.page(self.article)
        self.assertIn('<span itemprop="name">Salesforce</span>', body)
        self.assertIn('href="/speakers/salesforce/"', body)
        self.assertIn('itemtype="https://schema.org/Organization"', body)

    def test_a_new_slug(self) -> None:
        """The quote's permalink and its article's address follow the article's slug."""
        self.article.slug = "ohana-values"
        self.article.save()
        body = self.page(self.article)
        self.assertIn('href="/articles/ohana-values/quotes/said/"', body)
        self.assertIn('<link itemprop="isPartOf" href="/articles/ohana-values/">', body)

    def test_restoring_a_revision(self) -> None:
        """A restored revision's body and quote words are what the page shows."""
        editor = get_user_model().objects.create_superuser("editor", None, None)
        with reversion.create_revision():
            self.article.save()
        revision = services.revisions(self.article)[0].revision
        self.quote.text = "Words said later."
        self.quote.save()
        self.article.body = "Rewritten.\n\n[[quote:said]]"
        self.article.save()
        services.restore_revision(article=self.article, revision=revision, user=editor)
        body = self.page(self.article)
        self.assertIn("Intro.", body)
        self.assertIn("First words.", body)
        self.assertNotIn("Words said later.", body)

    def test_deleting_articles_renders_no_body(self) -> None:
        """Quotes deleted with their article render nothing: the deletion costs the same
        queries with one quote or three."""

        def deletion_queries(quotes: int) -> int:
            article = ArticleFactory(body="[[quote:q0]]\n\n[[quote:q1]]\n\n[[quote:q2]]")
            for n in range(quotes):
                QuoteFactory(article=article, key=f"q{n}", is_pull_quote=False)
            with CaptureQueriesContext(connection) as queries:
                article.delete()
            return len(queries)

        self.assertEqual(deletion_queries(1), deletion_queries(3))


class ImageInBodyTests(StoredBodyTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.image = ImageFactory(
            key="chart", alt_text="A chart", caption="First caption", credit="Agency"
        )
        cls.article = ArticleFactory(body="Intro.\n\n[[image:chart]]\n\nEnd.")

    def test_its_words(self) -> None:
        self.image.alt_text = "A bar chart"
        self.image.caption = "Second caption"
        self.image.credit = "Bureau"
        self.image.save()
        body = self.page(self.article)
        self.assertIn('alt="A bar chart"', body)
        self.assertIn("Second caption", body)
        self.assertIn("Image credit - Bureau", body)

    def test_decorative(self) -> None:
        self.image.is_decorative = True
        self.image.save()
        self.assertIn('alt=""', self.page(self.article))

    def test_a_new_file(self) -> None:
        self.image.file = ContentFile(png_bytes((90, 60)), name="new.png")
        self.image.save()
        body = self.page(self.article)
        self.assertIn(self.image.file.url, body)
        self.assertIn('width="90" height="60"', body)

    def test_a_new_key(self) -> None:
        """Bodies placing the old key leave it out; those placing the new one show it."""
        other = ArticleFactory(body="[[image:graph]]")
        self.assertIn("First caption", self.page(self.article))
        self.image.key = "graph"
        self.image.save()
        self.assertNotIn("First caption", self.page(self.article))
        self.assertIn("First caption", self.page(other))

    def test_a_deleted_image(self) -> None:
        self.assertIn("First caption", self.page(self.article))
        self.image.delete()
        self.assertNotIn("First caption", self.page(self.article))

    def test_an_image_uploaded_after_its_marker(self) -> None:
        article = ArticleFactory(body="[[image:late]]")
        ImageFactory(key="late", caption="Came late")
        self.assertIn("Came late", self.page(article))

    def test_its_renditions_once_made(self) -> None:
        """The renditions made after the upload (a task, after the commit) give the body's
        picture its srcset."""
        with self.captureOnCommitCallbacks(execute=True):
            self.image.save()
        made = Rendition.objects.filter(image=self.image, crop=Rendition.Crop.ORIGINAL)
        self.assertIn(made.first().file.url, self.page(self.article))

    def test_renditions_made_again_by_the_command(self) -> None:
        """A rendition whose file went missing is made again: the body names the new one."""
        with self.captureOnCommitCallbacks(execute=True):
            self.image.save()
        lost = Rendition.objects.filter(image=self.image, crop=Rendition.Crop.ORIGINAL).first()
        lost_url = lost.file.url
        lost.file.delete(save=False)
        run_command("renditions", "--image", "chart")
        self.assertNotIn(lost_url, self.page(self.article))
        self.assertIn(
            Rendition.objects.get(
                image=self.image, crop=lost.crop, width=lost.width, format=lost.format
            ).file.url,
            self.page(self.article),
        )


class AdminSaveTests(AdminTestCase, StoredBodyTestCase):
    def test_quotes_changed_in_the_change_form(self) -> None:
        """An editor's save, its inline quotes changed, shows their new words in the body,
        each with its note that readers first saw other words."""
        quotes = list(self.seed.quotes.all())
        changes = {f"quotes-{n}-text": f"New words {n}." for n in range(2)}
        self.save_article(self.seed, **changes)
        self.client.logout()
        body = self.page(self.seed)
        for n in range(2):
            with self.subTest(quote=quotes[n].key):
                figure = body.split(f'id="quote-{quotes[n].key}"')[1].split("</figure>")[0]
                self.assertIn(f"New words {n}.", figure)
                self.assertIn("Changed after publication", figure)


def assert_stored_as_rendered(test: TestCase, articles: list[Article]) -> None:
    """Every article's stored body is what rendering it now gives, quotes placed, and
    what their templates give."""
    for article in articles:
        with test.subTest(article=article.slug):
            test.assertEqual(article.body_html, str(article.rendered_body()))
            images = placed_images(Image, marker_keys(article.body, "image"))
            quotes = article.quotes.select_related("speaker")
            test.assertEqual(
                article.body_html, rendered_with_templates(article.body, quotes, images)
            )
    test.assertTrue(any('<figure class="quote"' in a.body_html for a in articles))


class BulkWriteTests(StoredBodyTestCase):
    def test_import(self) -> None:
        """Imported articles (written in bulk, their quotes after them) and re-imported
        ones with changed quotes store their bodies as a save would."""
        jsonl = DATA / "jsonl"
        run_command(
            "import_articles", str(jsonl / "articles.jsonl"), "--media-dir", str(jsonl / "media")
        )
        assert_stored_as_rendered(self, list(Article.objects.exclude(slug=SEED_SLUG)))
        with tempfile.TemporaryDirectory() as folder:
            changed = Path(folder) / "changed.jsonl"
            lines = (jsonl / "articles.jsonl").read_text().splitlines()
            placed = next(r for r in map(json.loads, lines) if "[[quote:" in r.get("body", ""))
            key = placed["body"].split("[[quote:")[1].split("]]")[0]
            quote = next(q for q in placed["quotes"] if q["key"] == key)
            quote["text"] = "Words changed in the file."
            changed.write_text(json.dumps(placed) + "\n")
            run_command("import_articles", str(changed))
        article = Article.objects.get(slug=placed["slug"])
        self.assertIn("Words changed in the file.", self.page(article))

    def test_reimport_renders_each_body_once(self) -> None:
        """Re-importing an article replaces its quotes in bulk; its body is rendered once,
        not once for each quote deleted: the import costs the same queries whether it
        replaces one quote or three."""
        jsonl = DATA / "jsonl"
        run_command(
            "import_articles", str(jsonl / "articles.jsonl"), "--media-dir", str(jsonl / "media")
        )
        lines = (jsonl / "articles.jsonl").read_text().splitlines()
        record = next(r for r in map(json.loads, lines) if "[[quote:" in r.get("body", ""))
        minister = next(q for q in record["quotes"] if q["key"] == "minister")

        def import_with(quotes: int, headline: str) -> int:
            keys = [f"q{n}" for n in range(quotes)]
            record["headline"] = headline
            record["body"] = "\n\n".join(f"[[quote:{key}]]" for key in keys)
            record["quotes"] = [{**minister, "key": key, "text": f"Said {key}."} for key in keys]
            with tempfile.TemporaryDirectory() as folder:
                changed = Path(folder) / "changed.jsonl"
                changed.write_text(json.dumps(record) + "\n")
                with CaptureQueriesContext(connection) as queries:
                    run_command("import_articles", str(changed))
            return len(queries)

        import_with(3, "Three quotes")
        replacing_three = import_with(1, "One quote")
        replacing_one = import_with(1, "One quote again")
        self.assertEqual(replacing_three, replacing_one)
        body = self.page(Article.objects.get(slug=record["slug"]))
        self.assertIn("Said q0.", body)
        self.assertNotIn("Said q1.", body)

    def test_seed_demo(self) -> None:
        run_command("seed_demo", "--articles", "4", "--authors", "2", "--seed", "5", "-v", "0")
        assert_stored_as_rendered(self, list(Article.objects.exclude(slug=SEED_SLUG)))


class RenderBodiesCommandTests(StoredBodyTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = ArticleFactory(slug="story", body="[[quote:ceo]]")
        QuoteFactory(article=cls.article, key="ceo", is_pull_quote=False)

    def test_a_new_site_address(self) -> None:
        """After SITE_URL changes, render_bodies gives the quotes' ids the new address; a
        dry run only counts."""
        absolute = 'itemid="https://news.example.com/articles/story/quotes/ceo/"'
        with override_settings(SITE_URL="https://news.example.com"):
            # This article's and the seed story's.
            output, _ = run_command("render_bodies", "--dry-run")
            self.assertIn("2 stored bodies would change.", output)
            self.assertNotIn(absolute, self.page(self.article))
            output, _ = run_command("render_bodies")
            self.assertIn("2 stored bodies changed.", output)
            self.assertIn(absolute, self.page(self.article))
