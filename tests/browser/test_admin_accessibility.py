"""The admin screens an editor uses, in real Chromium: axe finds no WCAG 2.2 AA
violation on any of them at desktop and phone widths, with realistic records on each
(the seeded story with revisions, an author with a link and an interest, a speaker, a
disclosure, an organisation, a menu item), and the article list, an article's change
page and its publish page work by the keyboard alone."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from articles.models import Article
from authors.models import Author
from reader.models import MenuItem
from tests.browser.conftest import server_paused
from tests.browser.test_editorial_flow import log_in, staff
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    AuthorInterestFactory,
    AuthorLinkFactory,
    DisclosureFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_22_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}


def screens() -> dict[str, str]:
    """Every screen an editor works in, with a record of each kind on it."""
    story = Article.objects.order_by("pk").first()
    interest = AuthorInterestFactory(author=AuthorFactory(name="Ines Interest"))
    AuthorLinkFactory(author=interest.author)
    SpeakerFactory(name="Sam Speaker")
    DisclosureFactory()
    item = MenuItem.objects.create(target=MenuItem.Target.ARCHIVE, label="Old news", position=90)
    return {
        "index": reverse("admin:index"),
        "article list": reverse("admin:articles_article_changelist"),
        "article change": reverse("admin:articles_article_change", args=[story.pk]),
        "article add": reverse("admin:articles_article_add"),
        "publish": reverse("admin:articles_article_workflow", args=[story.pk, "publish"]),
        "history": reverse("admin:articles_article_history", args=[story.pk]),
        "author list": reverse("admin:authors_author_changelist"),
        "author change": reverse("admin:authors_author_change", args=[interest.author.pk]),
        "speaker list": reverse("admin:quotes_speaker_changelist"),
        "disclosure list": reverse("admin:disclosures_disclosure_changelist"),
        "organisation list": reverse("admin:disclosures_organisation_changelist"),
        "page list": reverse("admin:pages_page_changelist"),
        "menu item list": reverse("admin:reader_menuitem_changelist"),
        "menu item change": reverse("admin:reader_menuitem_change", args=[item.pk]),
        "image add": reverse("admin:pictures_image_add"),
    }


@pytest.fixture
def editor(browser, live_server):  # type: ignore[no-untyped-def]
    staff("edna", "editor")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    log_in(tab, "edna", reverse("admin:index"))
    yield tab


def test_every_editor_screen_passes_axe_at_desktop_and_phone_widths(editor, screenshot) -> None:
    tab = editor
    urls = screens()
    # The seeded story saved once from its form, so it has revisions to list.
    tab.goto(urls["article change"])
    with tab.expect_navigation():
        tab.click("input[name=_continue]")
    assert tab.locator(".messagelist .success").count() == 1, tab.inner_text("#content")
    found = {}
    for width in (1280, 390):
        tab.set_viewport_size({"width": width, "height": 900})
        for name, url in urls.items():
            assert tab.goto(url).status == 200, name
            tab.wait_for_load_state("load")
            violations = Axe().run(tab, options=WCAG_22_AA).response["violations"]
            if violations:
                screenshot(tab, f"{width}-{name.replace(' ', '-')}")
                found[f"{name} at {width} px"] = [
                    f"{rule['id']}: {node['target']} {node['html'][:120]}"
                    for rule in violations
                    for node in rule["nodes"]
                ]
    assert not found, "\n".join(
        f"{screen}:\n  " + "\n  ".join(nodes) for screen, nodes in found.items()
    )


def press_tab_until(tab, selector: str, limit: int = 80) -> None:  # type: ignore[no-untyped-def]
    """Tab forward until `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        if tab.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_list_change_page_and_publish_by_keyboard_alone(editor, live_server) -> None:
    """From the article list to a published story with Tab and Enter only."""
    tab = editor
    author = Author.objects.create(name="Edna Editor", slug="edna-editor")
    draft = ArticleFactory(
        headline="Council opens its books",
        status=Article.Status.DRAFT,
        published_at=None,
        authors=[author],
        tags=["Councils"],
    )
    tab.goto(reverse("admin:articles_article_changelist"))
    press_tab_until(tab, f"a[href$='/{draft.pk}/change/']")
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"**/{draft.pk}/change/")

    # On the change page: into the standfirst, a word more, saved with Enter.
    press_tab_until(tab, "#id_standfirst")
    tab.keyboard.press("End")
    tab.keyboard.type(" Every line of it.")
    press_tab_until(tab, "input[name=_continue]", limit=200)
    tab.keyboard.press("Enter")
    tab.locator(".messagelist .success").wait_for()
    assert tab.input_value("#id_standfirst").endswith("Every line of it.")

    press_tab_until(tab, ".workflow-links a[href$='/workflow/publish/']", limit=200)
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/workflow/publish/")
    # The draft has no lead picture, a soft check: the editor gives a reason to go on.
    press_tab_until(tab, "#id_override_reason")
    tab.keyboard.type("Text-only story, as agreed with the desk.")
    press_tab_until(tab, "input[type=submit]")
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"**/{draft.pk}/change/")
    assert "Live" in tab.inner_text(".workflow-state")
    with server_paused(live_server):
        draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at <= datetime.datetime.now(tz=datetime.UTC)
