"""A reader in real Chromium follows an old WordPress address to an imported article
whose picture could not be brought: the article, with a placeholder, no broken image."""

from pathlib import Path

import pytest

from tests.base import run_command
from tests.test_wordpress_import import BLOCKS, attachment, export, item

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_old_permalink_opens_the_imported_article(page, screenshot, tmp_path: Path) -> None:
    export_file = tmp_path / "export.xml"
    export_file.write_text(
        export(
            attachment(200, "2018/06/gone.jpg", alt="The council hall"),
            item(
                101,
                title="Council votes down the budget",
                name="budget-vote",
                content=BLOCKS,
                meta={"_thumbnail_id": "200"},
            ),
        )
    )
    run_command("import_articles", str(export_file))
    page.goto("/2018/06/25/budget-vote/")
    page.wait_for_url("**/articles/budget-vote/")
    assert page.locator("h1").inner_text() == "Council votes down the budget"
    placeholder = page.get_by_role("img", name="The council hall").first
    assert placeholder.inner_text() == "Picture not available"
    assert placeholder.is_visible()
    broken = page.evaluate(
        "Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0).length"
    )
    assert broken == 0
    assert page.locator("figure.quote").count() == 2
    assert screenshot(page, "wordpress-article").stat().st_size > 0
