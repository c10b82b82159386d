"""The image library and the accessibility panel in real Chromium: axe finds no
violation on the grid and an image's page at 1280 and 390 px, an editor sets a focal
point by clicking the picture (or by keyboard), and the article form's panel tells the
writer what to fix as they type. The screenshots of docs/editing.md's library section
are taken here (`make screenshots`)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article
from pictures.models import Image
from tests.browser.conftest import docs_screenshot
from tests.browser.test_editorial_flow import write_body
from tests.browser.test_reader_pages import AXE_OPTIONS
from tests.factories import ArticleFactory, ImageFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "browser-test-password"


def log_in(page, next_url: str) -> None:  # type: ignore[no-untyped-def]
    get_user_model().objects.create_user("edith", password=PASSWORD)
    call_command("grant_role", "edith", "editor", verbosity=0)
    page.goto(f"/admin/login/?next={next_url}")
    page.fill("#id_username", "edith")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def for_docs(page, name: str) -> None:  # type: ignore[no-untyped-def]
    docs_screenshot(page, f"images/{name}.png")


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("width", [390, 1280])
def test_library_grid_and_image_page_pass_accessibility_audit(
    page, screenshot, axe, width: int
) -> None:
    """axe-core finds no violation on the grid (with a picture missing its alt text)
    and on an image's page, at phone and desktop widths."""
    ImageFactory(key="harbour-at-dawn", alt_text="", credit="AFP")
    image = Image.objects.get(key="marc-benioff")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "/admin/pictures/image/")
    for name, url in (
        ("grid", "/admin/pictures/image/"),
        ("grid-unused", "/admin/pictures/image/?use=unused"),
        ("image", f"/admin/pictures/image/{image.pk}/change/"),
    ):
        response = page.goto(url)
        assert response.status == 200
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, results.generate_report()
        screenshot(page, f"{name}-{width}")
        if width == 1280 and name != "grid-unused":
            for_docs(page, f"library-{name}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_editor_sets_the_focal_point_by_clicking_the_picture(page, screenshot) -> None:
    image = Image.objects.get(key="marc-benioff")
    log_in(page, f"/admin/pictures/image/{image.pk}/change/")
    picture = page.locator(".focal-picture img")
    box = picture.bounding_box()
    assert box is not None
    # A click a fifth of the way across and a quarter of the way down.
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.25)
    assert abs(float(page.input_value("#id_focal_x")) - 0.2) < 0.02
    assert abs(float(page.input_value("#id_focal_y")) - 0.25) < 0.02
    marker = page.locator(".focal-marker")
    assert marker.is_visible()
    spot = marker.bounding_box()
    assert spot is not None
    assert abs(spot["x"] + spot["width"] / 2 - (box["x"] + box["width"] * 0.2)) < 4
    screenshot(page, "focal-point")
    # By keyboard: the inputs take a value typed in, and the ring follows.
    page.fill("#id_focal_x", "0.9")
    spot = marker.bounding_box()
    assert spot is not None
    assert abs(spot["x"] + spot["width"] / 2 - (box["x"] + box["width"] * 0.9)) < 4
    page.fill("#id_focal_x", "0.2")
    for_docs(page, "library-focal-point")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/pictures/image/")
    image.refresh_from_db()
    assert image.focus is not None
    assert abs(image.focus[0] - 0.2) < 0.001
    assert abs(image.focus[1] - 0.25) < 0.02


def test_accessibility_panel_follows_the_body_as_the_writer_types(page, screenshot) -> None:
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None, body="Calm text.")
    log_in(page, f"/admin/articles/article/{article.pk}/change/")
    panel = page.locator("#accessibility-panel")
    panel.get_by_text("No problems found").wait_for()
    write_body(
        page,
        "### A heading too deep\n\nRead the report [here](https://example.com/report).\n\n"
        "[[image:salesforce-border-tweet]]\n",
        replace=True,
    )
    panel.get_by_text("Skipped heading level").wait_for()
    text = panel.inner_text()
    assert "Link text that says nothing" in text
    assert "How to fix" in text
    panel.scroll_into_view_if_needed()
    for_docs(page, "accessibility-panel")
    screenshot(page, "accessibility-panel")
    write_body(page, "## A heading\n\nRead [the report](https://example.com/r).", replace=True)
    panel.get_by_text("No problems found").wait_for()
