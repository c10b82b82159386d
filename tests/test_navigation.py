"""The section menu editors manage, the section pages it opens and the article's
breadcrumb (reader.navigation)."""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import TestCase
from taggit.models import Tag

from articles.models import Article
from newsroom import page_cache
from pages.models import Page
from reader.models import MenuItem
from tests.base import SEED_URL, json_ld
from tests.factories import ArticleFactory


def menu_links(html: str) -> list[tuple[str, str, str]]:
    """(address, aria-current, words) of each link in the header's section menu."""
    menu = html.split('<nav class="site-menu" aria-label="Sections">')[1].split("</nav>")[0]
    return [
        (href, current or "", words)
        for href, current, words in re.findall(
            r'<a href="([^"]*)"(?: aria-current="([^"]*)")?>([^<]*)</a>', menu
        )
    ]


class MenuTests(TestCase):
    def setUp(self) -> None:
        # The menu is kept per content generation; start each test from the rows it sees.
        page_cache.bump_generation()

    def add(self, **fields: object) -> MenuItem:
        with self.captureOnCommitCallbacks(execute=True):
            item = MenuItem(**fields)
            item.full_clean()
            item.save()
        return item

    def test_a_fresh_install_has_a_menu_of_sections(self) -> None:
        """Latest stories, the kinds of work the seeded story shows, and the archive."""
        links = menu_links(self.client.get(SEED_URL).content.decode())
        self.assertEqual(
            [(href, words) for href, _, words in links],
            [("/", "Latest"), ("/kinds/news/", "News"), ("/kinds/analysis/", "Analysis"),
             ("/archive/", "Archive")],
        )  # fmt: skip

    def test_items_show_in_the_order_editors_give_them(self) -> None:
        tag = Tag.objects.get(slug="salesforce")
        page = Page.objects.get(slug="ethics")
        self.add(target=MenuItem.Target.TOPIC, topic=tag, position=1)
        self.add(target=MenuItem.Target.PAGE, page=page, label="Our ethics", position=99)
        links = menu_links(self.client.get("/").content.decode())
        self.assertEqual(links[0][::2], ("/topics/salesforce/", "Salesforce"))
        self.assertEqual(links[-1][::2], ("/about/ethics/", "Our ethics"))

    def test_the_current_section_is_marked(self) -> None:
        """Its own page is the current page; an article marks its section (its kind)."""
        home = menu_links(self.client.get("/").content.decode())
        self.assertEqual([current for _, current, _ in home], ["page", "", "", ""])
        article = menu_links(self.client.get(SEED_URL).content.decode())
        self.assertEqual([current for _, current, _ in article], ["", "", "true", ""])
        section = menu_links(self.client.get("/kinds/analysis/").content.decode())
        self.assertEqual([current for _, current, _ in section], ["", "", "page", ""])

    def test_editing_the_menu_shows_on_the_next_page(self) -> None:
        """The menu is kept per generation: a saved or deleted item moves it."""
        self.client.get("/")
        item = self.add(target=MenuItem.Target.KIND, kind=Article.Kind.OPINION, position=50)
        self.assertIn(
            ("/kinds/opinion/", "", "Opinion"), menu_links(self.client.get("/").content.decode())
        )
        with self.captureOnCommitCallbacks(execute=True):
            item.delete()
        self.assertNotIn("/kinds/opinion/", self.client.get("/").content.decode())

    def test_the_menu_costs_a_page_no_query_once_read(self) -> None:
        self.client.get("/kinds/news/")
        with self.assertNumQueries(1):  # the section's articles with their cards
            self.client.get("/kinds/news/")

    def test_an_item_must_point_where_its_target_says(self) -> None:
        for fields, field in [
            ({"target": MenuItem.Target.TOPIC}, "topic"),
            ({"target": MenuItem.Target.KIND}, "kind"),
            ({"target": MenuItem.Target.PAGE}, "page"),
            ({"target": MenuItem.Target.HOME, "kind": Article.Kind.NEWS}, "kind"),
        ]:
            with self.subTest(fields=fields), self.assertRaises(ValidationError) as caught:
                MenuItem(**fields).full_clean()
            self.assertIn(field, caught.exception.message_dict)

    def test_editors_order_the_menu_in_the_admin(self) -> None:
        editor = get_user_model().objects.create_superuser("editor")
        self.client.force_login(editor)
        response = self.client.post(
            "/admin/reader/menuitem/add/", {"target": "topic", "position": "5"}
        )
        self.assertContains(response, "Choose the topic this item opens.")
        items = list(MenuItem.objects.order_by("pk"))
        data = {
            "form-TOTAL_FORMS": str(len(items)),
            "form-INITIAL_FORMS": str(len(items)),
            "_save": "Save",
        }
        for number, item in enumerate(items):
            data[f"form-{number}-id"] = str(item.pk)
            data[f"form-{number}-position"] = str(100 - number)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.client.post("/admin/reader/menuitem/", data).status_code, 302)
        self.client.logout()
        names = [words for _, _, words in menu_links(self.client.get("/").content.decode())]
        self.assertEqual(names, ["Archive", "Analysis", "News", "Latest"])


class SectionPageTests(TestCase):
    def test_a_section_lists_its_kind_of_work_only(self) -> None:
        ArticleFactory(kind=Article.Kind.OPINION, headline="A view of things")
        ArticleFactory(kind=Article.Kind.NEWS, headline="Something happened")
        response = self.client.get("/kinds/opinion/")
        self.assertContains(response, "<h1>Opinion</h1>", html=True)
        self.assertContains(response, "A view of things")
        self.assertNotContains(response, "Something happened")

    def test_an_empty_section_offers_a_way_on(self) -> None:
        response = self.client.get("/kinds/review/")
        self.assertContains(response, "Nothing has been published here yet.")
        self.assertContains(response, 'href="/archive/"')

    def test_an_unknown_kind_is_not_found(self) -> None:
        self.assertEqual(self.client.get("/kinds/gossip/").status_code, 404)


class BreadcrumbTests(TestCase):
    def test_the_article_shows_its_section(self) -> None:
        html = self.client.get(SEED_URL).content.decode()
        trail = html.split('<nav class="breadcrumbs" aria-label="Breadcrumb">')[1].split("</nav>")[
            0
        ]
        self.assertEqual(re.findall(r'href="([^"]*)"[^>]*>([^<]*)<', trail), [
            ("/", "Home"), ("/kinds/analysis/", "Analysis"),
        ])  # fmt: skip

    def test_the_trail_is_described_to_search_engines(self) -> None:
        """The NewsArticle's page carries the same trail as a BreadcrumbList."""
        [article] = json_ld(self.client.get(SEED_URL))
        trail = article["mainEntityOfPage"]["breadcrumb"]
        self.assertEqual(trail["@type"], "BreadcrumbList")
        items = trail["itemListElement"]
        self.assertEqual([item["position"] for item in items], [1, 2, 3])
        self.assertEqual(items[1]["name"], "Analysis")
        self.assertEqual(items[1]["item"], "http://testserver/kinds/analysis/")
        self.assertEqual(items[2]["item"], f"http://testserver{SEED_URL}")
