"""Comfort of the article admin for editors and writers: time zones, addresses,
previews, share links and the revision comparison."""

import datetime
import re
from typing import Any

import reversion
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from reversion.models import Version

from articles import services
from articles.models import Article
from articles.revisions import word_diff
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    ImageFactory,
    OrganisationFactory,
    QuoteFactory,
    SpeakerFactory,
)

User = get_user_model()

CONTENT_APPS = {"articles", "authors", "disclosures", "pictures", "pages", "quotes"}


def admin_url(name: str, *args: Any) -> str:
    return reverse(f"admin:articles_article_{name}", args=args)


class AdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.superuser = User.objects.create_superuser("root", "root@example.com", "pw")
        cls.editor = User.objects.create_user("edith", password="pw", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name="Editor"))
        cls.writer = User.objects.create_user("wendy", password="pw", is_staff=True)
        cls.writer.groups.add(Group.objects.get(name="Writer"))
        cls.writer_author = AuthorFactory(name="Wendy Writer", user=cls.writer)

    def draft(self, **fields: Any) -> Article:
        """An article of the writer's, a draft unless told otherwise."""
        return ArticleFactory(
            **{"status": Article.Status.DRAFT, "published_at": None, **fields},
            created_by=self.writer,
            authors=[self.writer_author],
        )


class TimeZoneTests(AdminTestCase):
    def datetime_widgets(self, url: str) -> list[str]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return re.findall(r'<p class="datetime">.*?</p>', response.content.decode(), re.S)

    def test_every_datetime_field_of_every_admin_form_names_the_time_zone(self) -> None:
        """Each date-and-time field on every add form of the admin says its zone."""
        self.client.force_login(self.superuser)
        seen = 0
        for model, model_admin in admin.site._registry.items():
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            if not model_admin.has_add_permission(self.client.get(url).wsgi_request):
                continue  # records only the software writes (sign-in attempts)
            for widget in self.datetime_widgets(url):
                seen += 1
                self.assertIn("Europe/London time", widget, f"{url}: {widget}")
        # On the article form at least: the embargo and a correction's time.
        self.assertGreaterEqual(seen, 2)

    @override_settings(TIME_ZONE="America/New_York")
    def test_the_zone_is_the_sites(self) -> None:
        """The site's TIME_ZONE, whatever it is, on the article form and its inlines."""
        self.client.force_login(self.editor)
        widgets = self.datetime_widgets(admin_url("change", self.draft().pk))
        self.assertTrue(widgets)
        for widget in widgets:
            self.assertIn("America/New_York time", widget)

    def test_publish_page_names_the_time_zone(self) -> None:
        """The publish or schedule page's time says its zone too."""
        self.client.force_login(self.editor)
        response = self.client.get(admin_url("workflow", self.draft().pk, "publish"))
        self.assertContains(response, "Publication time (Europe/London time)")


class ViewOnSiteTests(AdminTestCase):
    def view_on_site(self, article: Article) -> str:
        response = self.client.get(admin_url("change", article.pk))
        link = re.search(r'<a href="([^"]+)" class="viewsitelink"', response.content.decode())
        self.assertIsNotNone(link, "no View on site link")
        return link[1]

    def test_not_live_article_opens_its_preview(self) -> None:
        """A draft, an article in review, a scheduled or an embargoed one: "View on site"
        opens the preview, which shows it, instead of the public 404."""
        self.client.force_login(self.editor)
        future = timezone.now() + datetime.timedelta(days=1)
        past = timezone.now() - datetime.timedelta(days=1)
        for article in [
            self.draft(),
            self.draft(status=Article.Status.REVIEW),
            self.draft(status=Article.Status.PUBLISHED, published_at=future),
            self.draft(status=Article.Status.PUBLISHED, published_at=past, embargo_until=future),
        ]:
            url = self.view_on_site(article)
            self.assertEqual(url, admin_url("preview", article.pk))
            self.assertContains(self.client.get(url), article.headline)

    def row_links(self, article: Article) -> list[str]:
        """The "View on site" links of the article's form: its own, its quote's and its
        correction's."""
        QuoteFactory(article=article, key="said")
        CorrectionFactory(article=article)
        page = self.client.get(admin_url("change", article.pk)).content.decode()
        links = re.findall(r'<a href="([^"]+)"[^>]*>View on site', page)
        self.assertGreaterEqual(len(links), 3, links)
        return links

    def test_rows_of_a_not_live_article_open_its_preview(self) -> None:
        """A quote's or a correction's permalink would be a 404 while its article is not
        live: the links lead to the article's preview."""
        self.client.force_login(self.editor)
        article = self.draft()
        links = self.row_links(article)
        self.assertEqual(set(links), {admin_url("preview", article.pk)})

    def test_rows_of_a_live_article_open_their_public_place(self) -> None:
        self.client.force_login(self.editor)
        article = ArticleFactory()
        for link in self.row_links(article):
            with self.subTest(link=link):
                response = self.client.get(link, follow=True)
                self.assertEqual(response.status_code, 200)
                self.assertIn(article.get_absolute_url(), response.redirect_chain[-1][0])

    def test_live_article_opens_the_public_page(self) -> None:
        """A live article's link leads to the page readers see."""
        self.client.force_login(self.editor)
        article = ArticleFactory()
        response = self.client.get(self.view_on_site(article), follow=True)
        self.assertTrue(response.redirect_chain[-1][0].endswith(article.get_absolute_url()))
        self.assertContains(response, article.headline)


class ShareLinkTests(AdminTestCase):
    @override_settings(PREVIEW_LINK_MAX_AGE=48 * 3600)
    def test_share_link_is_a_link_with_copy_button_and_expiry(self) -> None:
        """The editor gets a link to open, a button to copy it, and the time it expires."""
        self.client.force_login(self.editor)
        article = self.draft()
        before = timezone.localtime().replace(second=0, microsecond=0)
        response = self.client.post(admin_url("share", article.pk), follow=True)
        after = timezone.localtime()
        page = response.content.decode()
        link = re.search(r'<a href="(http://testserver/[^"]+)" class="share-link"', page)
        self.assertIsNotNone(link)
        self.assertContains(response, f'data-copy="{link[1]}">Copy link</button>')
        shown = re.search(r"works until (.+?) \(Europe/London time\)", page)
        self.assertIsNotNone(shown)
        until = datetime.datetime.strptime(shown[1], "%d %B %Y, %H:%M")
        window = (before + datetime.timedelta(hours=48), after + datetime.timedelta(hours=48))
        self.assertTrue(window[0].replace(tzinfo=None) <= until <= window[1].replace(tzinfo=None))
        self.client.logout()
        self.assertContains(self.client.get(link[1]), article.headline)


class HelpTextTests(AdminTestCase):
    def test_slug_help_shows_the_real_address(self) -> None:
        """The slug's help text gives the article's real address, not "/articles//."."""
        self.client.force_login(self.editor)
        article = self.draft(slug="a-real-slug")
        response = self.client.get(admin_url("change", article.pk))
        self.assertContains(response, "http://testserver/articles/a-real-slug/</span>")
        self.assertNotContains(response, "/articles//")
        # article_form.js follows the slug from these two halves.
        self.assertContains(response, 'data-address-prefix="http://testserver/articles/"')
        response = self.client.get(admin_url("add"))
        self.assertContains(response, "http://testserver/articles/…/</span>")

    def test_read_only_fields_show_their_placeholders(self) -> None:
        """A writer opening an image a live article shows sees it read-only: its key's
        help text still reads "[[image:<key>]]"."""
        image = ImageFactory(key="on-show")
        self.draft(
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - datetime.timedelta(days=1),
            lead_image=image,
        )
        self.client.force_login(self.writer)
        response = self.client.get(reverse("admin:pictures_image_change", args=[image.pk]))
        self.assertContains(response, "Only an editor can change this image")
        self.assertContains(response, "[[image:&lt;key&gt;]]")

    def test_read_only_speaker_and_organisation_show_their_placeholders(self) -> None:
        """A writer opening a speaker or an organisation a live article shows sees it
        read-only: the address's help text still reads "/speakers/<slug>/" (or
        "/organisations/<slug>/") rather than losing its "<slug>" as an unknown tag."""
        organisation = OrganisationFactory()
        speaker = SpeakerFactory(organisation=organisation)
        article = self.draft(
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - datetime.timedelta(days=1),
        )
        article.tags.add(organisation.tag)
        QuoteFactory(article=article, speaker=speaker)
        self.client.force_login(self.writer)
        for record, address in [(speaker, "speakers"), (organisation, "organisations")]:
            opts = type(record)._meta
            name = f"admin:{opts.app_label}_{opts.model_name}_change"
            response = self.client.get(reverse(name, args=[record.pk]))
            self.assertNotContains(response, 'name="slug"')
            self.assertContains(response, f"/{address}/&lt;slug&gt;/")

    def test_read_only_article_shows_its_placeholders(self) -> None:
        """A writer looking at their article in review sees it read-only: the address's
        help text still reads "/articles/<slug>/"."""
        article = self.draft(status=Article.Status.REVIEW)
        self.client.force_login(self.writer)
        response = self.client.get(admin_url("change", article.pk))
        self.assertNotContains(response, 'name="slug"')
        self.assertContains(response, "/articles/&lt;slug&gt;/")

    def test_every_help_text_shows_its_placeholders(self) -> None:
        """Help texts such as "[[quote:<key>]]" or "/speakers/<slug>/" keep their
        "<key>" and "<slug>" on every admin form of the site's own models (inlines too)."""
        self.client.force_login(self.superuser)
        checked = 0
        for model, model_admin in admin.site._registry.items():
            opts = model._meta
            if opts.app_label not in CONTENT_APPS:
                continue
            page = self.client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
            models = [model, *(inline.model for inline in model_admin.inlines)]
            for field in (field for each in models for field in each._meta.get_fields()):
                help_text = str(getattr(field, "help_text", ""))
                if "<" not in help_text or (model is Article and field.name == "slug"):
                    continue
                if f'name="{field.name}"' in page.content.decode() or field.model is not model:
                    self.assertContains(page, escape(help_text), msg_prefix=opts.label)
                    checked += 1
        self.assertGreaterEqual(checked, 6)


class RevisionComparisonTests(AdminTestCase):
    def test_comparison_marks_changed_words_field_by_field(self) -> None:
        """Each changed field shows its text with the removed words in <del> and the
        added ones in <ins>, whole words, escaped; no difflib table, no unchanged field."""
        self.client.force_login(self.editor)
        article = self.draft(
            headline="Old headline",
            standfirst="A standfirst that stays.",
            body="The quick brown fox jumps over the lazy dog.",
        )
        with reversion.create_revision():
            article.save()
        article.body = "The slow red fox jumps over the <lazy> dog."
        article.headline = "New headline"
        with reversion.create_revision():
            article.save()
            article.tags.add("Cloud")
        newer, older = Version.objects.get_for_object(article)[:2]
        response = self.client.get(
            admin_url("compare", article.pk), {"from": older.pk, "to": newer.pk}
        )
        page = response.content.decode()
        self.assertIn("The <del>quick brown</del><ins>slow red</ins> fox jumps", page)
        self.assertIn("over the <ins>&lt;</ins>lazy<ins>&gt;</ins> dog.", page)
        self.assertIn("<del>Old</del><ins>New</ins> headline", page)
        self.assertIn("<ins>Cloud</ins>", page)
        sections = re.findall(r'<section class="revision-field">\s*<h2>(.*?)</h2>', page)
        self.assertEqual(sections, ["Headline", "Body", "Topics"])
        self.assertNotIn('class="diff"', page)


class ArticlePageTests(AdminTestCase):
    def test_pages_about_an_article_lead_back_to_it(self) -> None:
        """A move's page, the comparison of two revisions and the restore of one open
        alike (admin/articles/article/article_page.html): breadcrumbs from the admin's
        home through the articles to this one, then the page's title, in the form's
        styles."""
        self.client.force_login(self.editor)
        article = self.draft(headline="Rain on the weekend")
        for headline in ["Rain on the weekend", "Rain all weekend"]:
            article.headline = headline
            with reversion.create_revision():
                article.save()
        newer, older = Version.objects.get_for_object(article)[:2]
        pages = {
            "Publish or schedule": admin_url("workflow", article.pk, "publish"),
            "Changes": f"{admin_url('compare', article.pk)}?from={older.pk}&to={newer.pk}",
            "Restore a revision": admin_url("restore", article.pk, older.revision_id),
        }
        for title, url in pages.items():
            response = self.client.get(url)
            self.assertTemplateUsed(response, "admin/articles/article/article_page.html")
            crumbs = re.search(
                r'<div class="breadcrumbs">(.*?)</div>', response.content.decode(), re.S
            )
            assert crumbs is not None, url
            self.assertEqual(
                re.sub(r"\s+", " ", crumbs[1]).strip(),
                '<a href="/admin/">Home</a>'
                ' &rsaquo; <a href="/admin/articles/article/">Articles</a>'
                f' &rsaquo; <a href="{admin_url("change", article.pk)}">Rain all weekend</a>'
                f" &rsaquo; {title}: Rain all weekend",
            )
            self.assertContains(response, "/static/admin/articles/article_form.css")


class BodyPreviewTests(AdminTestCase):
    def test_preview_is_a_document_in_the_public_styles(self) -> None:
        """The live preview gets a whole document that loads the reader stylesheet and
        puts the body where the article page does, for a frame apart from the admin."""
        self.client.force_login(self.writer)
        response = self.client.post(
            reverse("admin:articles_live_preview"), {"body": "## A heading\n\n- one\n- two"}
        )
        document = response.json()["document"]
        self.assertIn('href="/static/css/site.css"', document)
        body = re.search(r'<div class="article__body">(.*?)</div>', document, re.S)
        self.assertIsNotNone(body)
        self.assertIn(">A heading</h2>", body[1])
        self.assertIn("<li>one</li>", body[1])
        self.assertNotIn("/static/admin/", document)

    def test_rewritten_passage_is_one_change(self) -> None:
        """A paragraph replaced by another reads as one removal and one addition, not as
        scattered words around the odd word they share."""
        self.assertEqual(
            word_diff("Intro.\n\n## A heading\n\n- one point", "A longer intro.\n\nEnd."),
            "<del>Intro.\n\n## A heading\n\n- one point</del><ins>A longer intro.\n\nEnd.</ins>",
        )


class RestoreIncompleteQuoteTests(AdminTestCase):
    def test_restoring_keeps_a_quote_without_speaker(self) -> None:
        """A draft's quote that names no speaker yet comes back with the revision."""
        article = self.draft(body="Text.\n\n[[quote:q]]")
        with reversion.create_revision():
            QuoteFactory(article=article, key="q", text="Kept words.", speaker=None)
            article.save()
        first = Version.objects.get_for_object(article)[0]
        article.quotes.all().delete()
        services.restore_revision(article=article, revision=first.revision, user=self.editor)
        quote = article.quotes.get()
        self.assertEqual((quote.text, quote.speaker), ("Kept words.", None))
