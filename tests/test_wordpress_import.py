"""import_articles on WordPress exports as WordPress and WordPress.com write them: every
WXR version and namespace, missing pictures, WordPress's own rules (untitled posts,
duplicate slugs, a category and a tag of one name, statuses), block-editor content,
old addresses, and fetching pictures safely."""

from __future__ import annotations

import http.server
import io
import shutil
import ssl
import subprocess
import tempfile
import threading
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article
from authors.models import Author
from interchange.fetching import Refused, fetch
from pages.models import Page
from pictures.models import Image
from tests.base import DATA, run_command

PICTURE = (DATA / "wordpress/uploads/2018/06/border-tweet.png").read_bytes()


def cdata(text: str, wrap: bool) -> str:
    if wrap:
        return f"<![CDATA[{text}]]>"
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def item(
    post_id: int,
    *,
    title: str = "A post",
    content: str = "<p>Words.</p>",
    status: str = "publish",
    post_type: str = "post",
    name: str | None = None,
    date: str = "2018-06-25 10:00:00",
    creator: str = "jmoore",
    extra: str = "",
    meta: dict[str, str] | None = None,
    guid: str | None = None,
    wrap: bool = True,
) -> str:
    name = f"post-{post_id}" if name is None else name
    metas = "".join(
        f"<wp:postmeta><wp:meta_key>{key}</wp:meta_key>"
        f"<wp:meta_value>{cdata(value, wrap)}</wp:meta_value></wp:postmeta>"
        for key, value in (meta or {}).items()
    )
    return f"""<item>
<title>{cdata(title, wrap)}</title>
<link>https://news.example.com/{date[:4]}/{date[5:7]}/{date[8:10]}/{name}/</link>
<dc:creator>{cdata(creator, wrap)}</dc:creator>
<guid isPermaLink="false">{guid or f"https://news.example.com/?p={post_id}"}</guid>
<content:encoded>{cdata(content, wrap)}</content:encoded>
<excerpt:encoded></excerpt:encoded>
<wp:post_id>{post_id}</wp:post_id>
<wp:post_date>{date}</wp:post_date>
<wp:post_date_gmt>{date}</wp:post_date_gmt>
<wp:post_name>{name}</wp:post_name>
<wp:status>{status}</wp:status>
<wp:post_type>{post_type}</wp:post_type>
{extra}{metas}
</item>"""


def attachment(
    post_id: int, path: str, *, alt: str = "A picture", meta: dict[str, str] | None = None
) -> str:
    url = f"https://news.example.com/wp-content/uploads/{path}"
    return item(
        post_id,
        title=f"picture {post_id}",
        content="",
        status="inherit",
        post_type="attachment",
        extra=f"<wp:attachment_url>{url}</wp:attachment_url>",
        meta={"_wp_attached_file": path, "_wp_attachment_image_alt": alt, **(meta or {})},
    )


def export(*items: str, scheme: str = "https", version: str = "1.2", wrap: bool = True) -> str:
    wp = f"{scheme}://wordpress.org/export/{version}/"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="{wp}excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{wp}"
 xmlns:media="http://search.yahoo.com/mrss/" xmlns:georss="http://www.georss.org/georss">
<channel>
<title>News</title>
<wp:wxr_version>{version}</wp:wxr_version>
<wp:base_blog_url>https://news.example.com</wp:base_blog_url>
<wp:author><wp:author_login>{cdata("jmoore", wrap)}</wp:author_login>
<wp:author_display_name>{cdata("Jane Moore", wrap)}</wp:author_display_name></wp:author>
{"".join(items)}
</channel>
</rss>"""


class WordPressCase(TestCase):
    def setUp(self) -> None:
        # Without the story a fresh install starts with: each test counts its own.
        Article.objects.all().delete()
        Author.objects.all().delete()
        Image.objects.all().delete()
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        self.folder = Path(folder)

    def write(self, xml: str, name: str = "export.xml") -> str:
        path = self.folder / name
        path.write_text(xml, encoding="utf-8")
        return str(path)

    def run_import(self, xml: str, *args: str) -> str:
        output, _ = run_command("import_articles", self.write(xml), *args)
        return output


class NamespaceTests(WordPressCase):
    def test_every_wxr_version_http_or_https_cdata_or_not(self) -> None:
        """WordPress.com and recent WordPress write https namespaces; old exports 1.0 and
        1.1; some tools write no CDATA. Each imports."""
        for version in ("1.0", "1.1", "1.2"):
            for scheme in ("http", "https"):
                for wrap in (True, False):
                    with self.subTest(version=version, scheme=scheme, cdata=wrap):
                        Article.objects.all().delete()
                        xml = export(
                            item(101, title="Fish & chips", wrap=wrap),
                            scheme=scheme,
                            version=version,
                            wrap=wrap,
                        )
                        output = self.run_import(xml)
                        self.assertIn("Articles: 1 created", output)
                        self.assertEqual(Article.objects.get().headline, "Fish & chips")


class MissingPictureTests(WordPressCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.staff = get_user_model().objects.create_superuser("editor", "e@example.com", "x")

    def test_an_attachment_without_its_file_never_blocks_the_post(self) -> None:
        """The picture comes in as an image without its file (marked missing); the post
        comes in, shows a placeholder, and every page, feed and command keeps working."""
        body = (
            '<!-- wp:image {"id":200} --><figure class="wp-block-image"><img src="https://'
            'news.example.com/wp-content/uploads/2018/06/gone.jpg" class="wp-image-200"/>'
            "</figure><!-- /wp:image -->"
        )
        xml = export(
            attachment(200, "2018/06/gone.jpg", alt="A council meeting"),
            item(101, content=body, meta={"_thumbnail_id": "200"}),
        )
        output = self.run_import(xml)
        self.assertIn(
            "item 1 (picture 200): image 'wp-200': imported without its picture (2018/06/gone",
            output,
        )
        image = Image.objects.get(key="wp-200")
        self.assertFalse(image.file)
        self.assertEqual(
            image.source_url, "https://news.example.com/wp-content/uploads/2018/06/gone.jpg"
        )
        article = Article.objects.get()
        self.assertEqual(article.lead_image, image)
        page = self.client.get(article.get_absolute_url())
        self.assertContains(page, '<span class="picture-missing" role="img" aria-label="A council')
        self.assertNotContains(page, '<img src=""')
        for url in (
            "/",
            "/feed/",
            "/sitemap.xml",
            "/sitemap-articles.xml",
            reverse("articles:archive"),
        ):
            with self.subTest(url=url):
                self.assertLess(self.client.get(url).status_code, 400)
        self.client.force_login(self.staff)
        for url in (
            reverse("admin:pictures_image_changelist"),
            reverse("admin:pictures_image_change", args=[image.pk]),
            reverse("admin:articles_article_change", args=[article.pk]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        # The admin: a new image needs its picture; the missing one's words can be
        # corrected without one, and it says where the picture was.
        added = self.client.post(
            reverse("admin:pictures_image_add"), {"key": "new", "alt_text": "x"}
        )
        self.assertContains(added, "This field is required")
        page = self.client.get(reverse("admin:pictures_image_change", args=[image.pk]))
        self.assertContains(page, image.source_url)
        changed = self.client.post(
            reverse("admin:pictures_image_change", args=[image.pk]),
            {"key": "wp-200", "alt_text": "The council chamber", "caption": "", "credit": ""},
        )
        self.assertEqual(changed.status_code, 302)
        self.assertEqual(Image.objects.get(pk=image.pk).alt_text, "The council chamber")
        renditions, _ = run_command("renditions")
        self.assertNotIn("missing from storage", renditions)
        with self.assertRaisesMessage(CommandError, "content problem"):
            run_command("check_content", stdout=(found := io.StringIO()))
        self.assertIn("missing-picture: image wp-200 has no picture file", found.getvalue())

    def test_pictures_come_from_an_uploads_folder_laid_out_as_wordpress(self) -> None:
        (self.folder / "uploads/2018/06").mkdir(parents=True)
        (self.folder / "uploads/2018/06/tweet.png").write_bytes(PICTURE)
        # The credit: the Media Credit plugin's, else the picture's own (IPTC) metadata.
        image_meta = 'a:1:{s:10:"image_meta";a:2:{s:6:"credit";s:7:"Reuters";s:5:"title";s:0:"";}}'
        self.run_import(
            export(
                attachment(201, "2018/06/tweet.png", meta={"_media_credit": "Jo Snapper"}),
                attachment(202, "2018/06/tweet.png", meta={"_wp_attachment_metadata": image_meta}),
            )
        )
        self.assertTrue(Image.objects.get(key="wp-201").file)
        self.assertEqual(Image.objects.get(key="wp-201").credit, "Jo Snapper")
        self.assertEqual(Image.objects.get(key="wp-202").credit, "Reuters")

    def test_a_picture_is_found_by_its_address_path(self) -> None:
        """Without the attachment's file name (WordPress.com exports may leave it out),
        its address's path says where it is, as the uploads folder lays it out."""
        (self.folder / "uploads/2018/06").mkdir(parents=True)
        (self.folder / "uploads/2018/06/tweet.png").write_bytes(PICTURE)
        url = "https://newsdesk.files.wordpress.com/2018/06/tweet.png"
        self.run_import(
            export(
                item(
                    203,
                    content="",
                    status="inherit",
                    post_type="attachment",
                    extra=f"<wp:attachment_url>{url}</wp:attachment_url>",
                )
            )
        )
        self.assertTrue(Image.objects.get(key="wp-203").file)


class WordPressRulesTests(WordPressCase):
    def test_untitled_post_is_a_draft_titled_from_its_first_words(self) -> None:
        output = self.run_import(
            export(item(101, title="", content="<p>The council met on Tuesday night to vote.</p>"))
        )
        article = Article.objects.get()
        self.assertEqual(article.headline, "The council met on Tuesday night to vote.")
        self.assertEqual(article.status, Article.Status.DRAFT)
        self.assertIn("item 1: untitled in WordPress: imported as a draft", output)

    def test_duplicate_slug_gets_a_suffix_and_a_report_line(self) -> None:
        xml = export(item(101, name="budget"), item(102, name="budget", title="Another"))
        output = self.run_import(xml)
        self.assertIn("item 2 (Another): the slug 'budget' is taken (also at", output)
        self.assertEqual(Article.objects.get(headline="Another").slug, "budget-2")
        again = self.run_import(xml)
        self.assertIn("Articles: 0 created, 0 updated, 2 unchanged.", again)

    def test_a_category_and_a_tag_of_one_name_are_one_topic(self) -> None:
        """WordPress keeps them apart (a category "News" news, a tag "news" news-2); here
        topics are unique by name: one topic, no database error."""
        terms = (
            '<category domain="category" nicename="news"><![CDATA[News]]></category>'
            '<category domain="post_tag" nicename="news-2"><![CDATA[news]]></category>'
        )
        tag_only = '<category domain="post_tag" nicename="news-2"><![CDATA[news]]></category>'
        category_only = '<category domain="category" nicename="news"><![CDATA[News]]></category>'
        xml = export(
            item(100, extra=tag_only), item(101, extra=terms), item(102, extra=category_only)
        )
        output = self.run_import(xml)
        self.assertIn("Import complete.", output)
        again = self.run_import(xml)
        self.assertIn("Articles: 0 created, 0 updated, 3 unchanged.", again)
        self.assertEqual(
            list(Tag.objects.filter(name__iexact="news").values_list("slug", flat=True)),
            ["news-2"],  # the first post's
        )
        self.assertEqual(Article.objects.get(slug="post-101").tags.count(), 1)

    def test_dry_run_reports_exactly_what_the_import_does(self) -> None:
        terms = (
            '<category domain="category" nicename="news"><![CDATA[News]]></category>'
            '<category domain="post_tag" nicename="news-2"><![CDATA[NEWS]]></category>'
        )
        xml = export(
            attachment(200, "2018/06/gone.jpg"),
            item(101, name="budget", extra=terms, meta={"_thumbnail_id": "200"}),
            item(102, name="budget", title="", extra=terms),
            item(103, post_type="page"),
        )
        dry = self.run_import(xml, "--dry-run")
        self.assertFalse(Article.objects.exists())
        self.assertFalse(Image.objects.exists())
        real = self.run_import(xml)
        self.assertEqual(
            dry.replace("Dry run: nothing was written. An import would leave:\n", ""),
            real.replace("Import complete.\n", ""),
        )

    def test_statuses_map_to_the_sites(self) -> None:
        output = self.run_import(
            export(
                item(101, status="publish"),
                item(102, status="future", date="2099-01-01 09:00:00"),
                item(103, status="draft"),
                item(104, status="pending"),
                item(105, status="private"),
                item(106, status="trash"),
            )
        )
        states = dict(Article.objects.values_list("slug", "status"))
        self.assertEqual(
            states,
            {
                "post-101": "published",
                "post-102": "published",
                "post-103": "draft",
                "post-104": "review",
                "post-105": "draft",
            },
        )
        self.assertEqual(Article.objects.get(slug="post-102").state_label[:9], "Scheduled")
        self.assertIn("item 5 (A post): private in WordPress: imported as a draft", output)
        self.assertIn("1 a post with status 'trash'", output)

    def test_authors_by_display_name_login_kept_private(self) -> None:
        self.run_import(export(item(101)))
        author = Author.objects.get()
        self.assertEqual((author.name, author.slug), ("Jane Moore", "jane-moore"))
        page = self.client.get(Article.objects.get().get_absolute_url())
        self.assertNotContains(page, "jmoore")

    def test_excerpt_yoast_sticky_and_featured_image(self) -> None:
        (self.folder / "uploads/2018/06").mkdir(parents=True)
        (self.folder / "uploads/2018/06/tweet.png").write_bytes(PICTURE)
        output = self.run_import(
            export(
                attachment(200, "2018/06/tweet.png"),
                item(
                    101,
                    extra="<wp:is_sticky>1</wp:is_sticky>",
                    meta={
                        "_thumbnail_id": "200",
                        "_yoast_wpseo_metadesc": "What the council decided.",
                        "_yoast_wpseo_title": "Council votes | News",
                    },
                ),
            )
        )
        article = Article.objects.get()
        self.assertEqual(article.standfirst, "What the council decided.")
        self.assertEqual(article.lead_image.key, "wp-200")
        self.assertIn("item 2 (A post): sticky in WordPress", output)
        self.assertIn("its SEO title 'Council votes | News' is not carried", output)

    def test_what_minimal_exports_leave_out_never_blocks_a_post(self) -> None:
        """No guid (identity from the post id), no date on a published post (a draft), a
        topic whose slug is no slug here (one from its name), citations of one person in
        two cases (one speaker): each post comes in, and imports again unchanged."""
        quote = '<blockquote class="wp-block-quote"><p>{}</p><cite>{}</cite></blockquote>'
        xml = export(
            item(101, guid=" ", content=quote.format("Yes.", "Jo Bloggs"))
            .replace("<wp:post_date_gmt>2018-06-25 10:00:00</wp:post_date_gmt>", "")
            .replace("<wp:post_date>2018-06-25 10:00:00</wp:post_date>", ""),
            item(
                102,
                content=quote.format("No.", "jo bloggs"),
                extra='<category domain="post_tag" nicename="%cc%81x"><![CDATA[Café]]></category>',
            ),
        ).replace('<guid isPermaLink="false"> </guid>', "")
        output = self.run_import(xml)
        self.assertIn("item 1 (A post): published in WordPress without a date", output)
        self.assertEqual(Article.objects.get(slug="post-101").status, Article.Status.DRAFT)
        second = Article.objects.get(slug="post-102")
        self.assertEqual(list(second.tags.values_list("name", "slug")), [("Café", "café")])
        self.assertEqual(second.quotes.get().speaker.name, "Jo Bloggs")
        self.assertIn("Articles: 0 created, 0 updated, 2 unchanged.", self.run_import(xml))

    def test_one_post_exported_twice_and_two_posts_sharing_a_guid(self) -> None:
        """The same post id twice: one article, from the later copy. Two posts copied
        with one guid (WordPress.com exports have them): two articles."""
        output = self.run_import(
            export(
                item(101, title="First version"),
                item(101, title="Second version"),
                item(102, title="A copy", guid="https://news.example.com/?p=101", name="copy"),
            )
        )
        self.assertIn("differently (exported twice): this later copy is imported", output)
        self.assertEqual(
            sorted(Article.objects.values_list("headline", flat=True)),
            ["A copy", "Second version"],
        )


# Block markup as WordPress writes it: long lines.
BLOCKS = """<!-- wp:heading {"level":1} -->
<h1>Big heading</h1>
<!-- /wp:heading -->

<!-- wp:paragraph -->
<p>A <em>paragraph</em> with a note<sup data-fn="f1" class="fn"><a href="#f1" id="f1-link">1</a></sup>.</p>
<!-- /wp:paragraph -->

<!-- wp:list -->
<ul><!-- wp:list-item --><li>One</li><!-- /wp:list-item --><!-- wp:list-item --><li>Two</li><!-- /wp:list-item --></ul>
<!-- /wp:list -->

<!-- wp:quote -->
<blockquote class="wp-block-quote"><!-- wp:paragraph --><p>We will vote no.</p><!-- /wp:paragraph --><cite>Jo Bloggs</cite></blockquote>
<!-- /wp:quote -->

<!-- wp:pullquote -->
<figure class="wp-block-pullquote"><blockquote><p>Enough is enough.</p><cite>Ann Other</cite></blockquote></figure>
<!-- /wp:pullquote -->

<!-- wp:image {"id":200,"sizeSlug":"large"} -->
<figure class="wp-block-image size-large"><img src="https://news.example.com/wp-content/uploads/2018/06/gone.jpg" alt="" class="wp-image-200"/><figcaption>The hall</figcaption></figure>
<!-- /wp:image -->

<!-- wp:gallery {"linkTo":"none"} -->
<figure class="wp-block-gallery"><!-- wp:image {"id":200} -->
<figure class="wp-block-image"><img src="https://news.example.com/wp-content/uploads/2018/06/gone.jpg" class="wp-image-200"/></figure>
<!-- /wp:image --><!-- wp:image -->
<figure class="wp-block-image"><img src="https://elsewhere.example.org/map.png" alt="A map"/></figure>
<!-- /wp:image --></figure>
<!-- /wp:gallery -->

<!-- wp:embed {"url":"https://www.youtube.com/watch?v=abc","type":"video","providerNameSlug":"youtube"} -->
<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=abc
</div></figure>
<!-- /wp:embed -->

<!-- wp:video {"id":300} -->
<figure class="wp-block-video"><video controls src="https://news.example.com/wp-content/uploads/clip.mp4"></video></figure>
<!-- /wp:video -->

<!-- wp:latest-posts /-->

<!-- wp:shortcode -->
[contact-form to="desk@example.com"]
<!-- /wp:shortcode -->

<!-- wp:footnotes /-->"""  # noqa: E501


class BlockContentTests(WordPressCase):
    def test_block_editor_content_becomes_the_sites_own(self) -> None:
        xml = export(
            attachment(200, "2018/06/gone.jpg", alt="The council hall"),
            item(
                101, content=BLOCKS, meta={"footnotes": '[{"id":"f1","content":"Minutes, p. 4."}]'}
            ),
        )
        output = self.run_import(xml)
        article = Article.objects.get()
        body = article.body
        self.assertIn("<h2>Big heading</h2>", body)
        self.assertIn("<p>A <em>paragraph</em> with a note<sup>1</sup>.</p>", body)
        self.assertIn("<ul><li>One</li><li>Two</li></ul>", body)
        self.assertIn("[[quote:quote-1]]", body)
        self.assertIn("[[quote:quote-2]]", body)
        quotes = {quote.key: quote for quote in article.quotes.all()}
        self.assertEqual(quotes["quote-1"].text, "We will vote no.")
        self.assertEqual(quotes["quote-1"].speaker.name, "Jo Bloggs")
        self.assertTrue(quotes["quote-2"].is_pull_quote)
        self.assertEqual(body.count("[[image:wp-200]]"), 2)
        self.assertRegex(body, r"\[\[image:wp-picture-[0-9a-f]{16}\]\]")
        self.assertEqual(
            Image.objects.get(key__startswith="wp-picture").source_url,
            "https://elsewhere.example.org/map.png",
        )
        self.assertIn(
            '<a href="https://www.youtube.com/watch?v=abc">YouTube: https://www.you', body
        )
        self.assertIn(">Video: https://news.example.com/wp-content/uploads/clip.mp4</a>", body)
        self.assertIn("<ol><li>Minutes, p. 4.</li></ol>", body)
        self.assertIn('[contact-form to="desk@example.com"]', body)
        self.assertIn("item 2 (A post): shortcode [contact-form] kept as text", output)
        self.assertIn("item 2 (A post): block wp:latest-posts left out", output)
        self.assertIn(
            "item 2 (A post): the caption 'The hall' given to picture wp-200 here", output
        )
        self.assertNotIn("<!--", body)
        page = self.client.get(article.get_absolute_url())
        self.assertContains(page, '<span itemprop="name">Jo Bloggs</span>')
        self.assertContains(page, "Big heading")

    def test_classic_editor_paragraphs_from_blank_lines(self) -> None:
        content = (
            "First line\nsame paragraph.\n\nSecond paragraph with * a star.\n\n<ul><li>x</li></ul>"
        )
        self.run_import(export(item(101, content=content)))
        self.assertEqual(
            Article.objects.get().body,
            "<p>First line<br>\nsame paragraph.</p>\n\n<p>Second paragraph with * a star.</p>"
            "\n\n<ul><li>x</li></ul>",
        )


class PageTests(WordPressCase):
    def test_pages_come_in_when_asked_with_their_old_addresses(self) -> None:
        picture = '<img src="https://news.example.com/wp-content/uploads/team.jpg" alt="The team">'
        xml = (
            export(
                item(2, title="About us", post_type="page", name="about-us", content=picture),
                item(
                    3,
                    title="Team",
                    post_type="page",
                    name="team",
                    extra="<wp:post_parent>2</wp:post_parent>",
                ),
                item(4, title="Draft page", post_type="page", status="draft", name="draft-page"),
                item(5, title="Empty parent", post_type="page", name="parent", content=""),
            )
            .replace(
                "https://news.example.com/2018/06/25/team/",
                "https://news.example.com/about-us/team/",
            )
            .replace(
                "https://news.example.com/2018/06/25/about-us/",
                "https://news.example.com/about-us/",
            )
        )
        self.assertIn("Skipped 4 WordPress items: 4 a WordPress page.", self.run_import(xml))
        self.assertFalse(Page.objects.filter(title="About us").exists())
        output = self.run_import(xml, "--pages")
        self.assertIn("Pages: 2 created, 0 updated, 0 unchanged.", output)
        self.assertIn("1 a WordPress page with status 'draft'", output)
        self.assertIn("1 a WordPress page without content", output)
        self.assertIn("item 1 (About us): a page shows no pictures: each is a link to it", output)
        about = Page.objects.get(slug="about-us")
        self.assertIn('<a href="https://news.example.com/wp-content/uploads/team.jpg">', about.body)
        self.assertEqual(Page.objects.get(title="Team").slug, "about-us-team")
        for address, target in (
            ("/about-us/", "/about/about-us/"),
            ("/?page_id=2", "/about/about-us/"),
            ("/about-us/team/", "/about/about-us-team/"),
        ):
            with self.subTest(address=address):
                self.assertRedirects(self.client.get(address), target, status_code=301)
        self.assertEqual(self.client.get("/draft-page/").status_code, 404)
        self.assertIn("Pages: 0 created, 0 updated, 2 unchanged.", self.run_import(xml, "--pages"))


class RoundTripTests(WordPressCase):
    def test_wordpress_import_exported_and_imported_elsewhere_is_the_same(self) -> None:
        """What a WordPress import made (missing pictures with their addresses, old
        addresses, quotes, topics) travels whole in the project's JSON Lines."""
        xml = export(
            attachment(200, "2018/06/gone.jpg", alt="The council hall"),
            item(101, content=BLOCKS, meta={"_thumbnail_id": "200"}),
        )
        self.run_import(xml)
        before = run_command("export_articles", "--status", "published")[0]
        jsonl = self.folder / "site.jsonl"
        jsonl.write_text(before)
        Article.objects.all().delete()
        Image.objects.all().delete()
        output, _ = run_command("import_articles", str(jsonl), "--media-dir", str(self.folder))
        self.assertIn("imported without its picture", output)
        self.assertEqual(run_command("export_articles", "--status", "published")[0], before)
        self.assertRedirects(self.client.get("/?p=101"), "/articles/post-101/", status_code=301)


class OldAddressTests(WordPressCase):
    def setUp(self) -> None:
        super().setUp()
        terms = '<category domain="category" nicename="council"><![CDATA[Council]]></category>'
        self.run_import(
            export(
                item(101, name="budget-vote", date="2018-06-25 10:00:00", extra=terms),
                item(102, name="secret-draft", status="draft"),
            )
        )
        self.article = Article.objects.get(slug="budget-vote")

    def test_each_wordpress_permalink_answers_301_to_the_article(self) -> None:
        target = self.article.get_absolute_url()
        for address in ("/?p=101", "/2018/06/25/budget-vote/", "/budget-vote/"):
            with self.subTest(address=address):
                self.assertRedirects(
                    self.client.get(address), target, status_code=301, fetch_redirect_response=False
                )
        topic = reverse("articles:tag", kwargs={"slug": "council"})
        self.assertRedirects(self.client.get("/category/council/"), topic, status_code=301)
        self.assertRedirects(
            self.client.get("/tag/council/feed/"),
            reverse("articles:tag_rss", kwargs={"slug": "council"}),
            status_code=301,
        )
        self.assertEqual(self.client.get("/feed/").status_code, 200)

    def test_an_unpublished_articles_old_address_reveals_nothing(self) -> None:
        self.assertEqual(self.client.get("/?p=102").status_code, 200)  # the home page
        self.assertEqual(self.client.get("/secret-draft/").status_code, 404)
        self.article.status = Article.Status.DRAFT
        self.article.published_at = None
        self.article.save()
        self.assertEqual(self.client.get("/budget-vote/").status_code, 404)

    @override_settings(PAGE_CACHE_SECONDS=600)
    def test_the_home_page_keeps_its_cache_and_costs_nothing_more(self) -> None:
        """Only /?p=ID asks for an old address: the cached home page runs no query, and
        a short link of no live article is the home page."""
        cache.clear()
        self.assertEqual(self.client.get("/")["X-Page-Cache"], "miss")
        with self.assertNumQueries(0):
            self.assertEqual(self.client.get("/")["X-Page-Cache"], "hit")
        self.assertEqual(self.client.get("/?p=999").status_code, 200)
        # A character no stored address has (PostgreSQL refuses a NUL in a query).
        self.assertEqual(self.client.get("/?p=%00").status_code, 200)
        self.assertEqual(self.client.get("/%00/").status_code, 404)


class _Pictures(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        redirects = {"/to-loopback": "http://127.0.0.2:9/secret", "/loop": "/loop"}
        if self.path in redirects:
            self.send_response(302)
            self.send_header("Location", redirects[self.path])
            self.end_headers()
            return
        body = b"<html><script>alert(1)</script></html>" if self.path == "/page.png" else PICTURE
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class FetchMediaTests(WordPressCase):
    def serve(self) -> str:
        server = http.server.HTTPServer(("127.0.0.1", 0), _Pictures)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return f"http://127.0.0.1:{server.server_address[1]}"

    def test_private_loopback_and_link_local_addresses_are_refused(self) -> None:
        target = self.folder / "picture"
        for url in (
            "http://127.0.0.1/a.png",
            "http://[::1]/a.png",
            "http://10.1.2.3/a.png",
            "http://169.254.169.254/latest/meta-data/",
            "http://localhost/a.png",
            "file:///etc/passwd",
        ):
            with self.subTest(url=url), self.assertRaises(Refused):
                fetch(url, target)

    def test_a_redirect_to_loopback_is_refused(self) -> None:
        origin = self.serve()
        # The test's own server is allowed; the loopback address it redirects to is not.
        with self.assertRaisesMessage(Refused, "127.0.0.2, not a public address"):
            fetch(f"{origin}/to-loopback", self.folder / "p", allowed={"127.0.0.1"})

    def test_redirects_are_bounded_and_size_and_content_are_checked(self) -> None:
        origin = self.serve()
        allowed = {"127.0.0.1"}
        with self.assertRaisesMessage(Refused, "more than 5 redirects"):
            fetch(f"{origin}/loop", self.folder / "p", allowed=allowed)
        with (
            override_settings(MAX_IMAGE_UPLOAD_BYTES=100),
            self.assertRaisesMessage(Refused, "over the 100-byte limit"),
        ):
            fetch(f"{origin}/a.png", self.folder / "p", allowed=allowed)
        # Fetched, but not a picture: the upload rules refuse it, and the image is missing.
        xml = export(attachment(200, "2018/06/page.png")).replace(
            "https://news.example.com/wp-content/uploads/2018/06/page.png", f"{origin}/page.png"
        )
        with override_settings(IMPORT_FETCH_ALLOWED_ADDRESSES=["127.0.0.1"]):
            output = self.run_import(xml, "--fetch-media")
        self.assertIn("imported without its picture", output)
        self.assertFalse(Image.objects.get(key="wp-200").file)

    def test_https_checks_the_certificate_against_the_host_name(self) -> None:
        """The connection goes to the checked address, but TLS still verifies the
        server's certificate for the host's name: a self-signed one is refused."""
        key, certificate = self.folder / "key.pem", self.folder / "cert.pem"
        openssl = shutil.which("openssl")
        assert openssl, "openssl makes the server's certificate"
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
            check=True,
            capture_output=True,
        )  # fmt: skip
        server = http.server.HTTPServer(("127.0.0.1", 0), _Pictures)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(certificate, key)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        url = f"https://127.0.0.1:{server.server_address[1]}/a.png"
        with self.assertRaisesMessage(Refused, "CERTIFICATE_VERIFY_FAILED"):
            fetch(url, self.folder / "p", allowed={"127.0.0.1"})

    def test_fetch_media_brings_the_picture(self) -> None:
        origin = self.serve()
        xml = export(attachment(200, "2018/06/tweet.png")).replace(
            "https://news.example.com/wp-content/uploads/2018/06/tweet.png",
            f"{origin}/wp-content/uploads/2018/06/tweet.png",
        )
        with override_settings(IMPORT_FETCH_ALLOWED_ADDRESSES=["127.0.0.1"]):
            output = self.run_import(xml, "--fetch-media")
        self.assertNotIn("without its picture", output)
        image = Image.objects.get(key="wp-200")
        with image.file.open("rb") as stored:
            self.assertEqual(stored.read(), PICTURE)

    def test_without_the_allowance_the_test_server_is_refused_too(self) -> None:
        origin = self.serve()
        xml = export(attachment(200, "2018/06/tweet.png")).replace(
            "https://news.example.com", origin
        )
        output = self.run_import(xml, "--fetch-media")
        self.assertIn("not fetched:", output)
        self.assertIn("127.0.0.1, not a public address", output)
        self.assertFalse(Image.objects.get(key="wp-200").file)
