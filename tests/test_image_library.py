"""The image library: the admin's grid of pictures with its search and filters, and the
focal point an editor sets, which every rendition crop keeps in its frame."""

import io
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from PIL import Image as PILImage

from pictures.models import Image
from pictures.renditions import renditions_changed
from tests.factories import ArticleFactory, ImageFactory

RED = (220, 20, 20)
WHITE = (255, 255, 255)
# The images the migrations' seed story brings.
SEED = ["marc-benioff", "salesforce-border-tweet"]
LIST_URL = reverse("admin:pictures_image_changelist")

# session; user; permissions (own, groups': 2); the count of the (filtered) images; the
# page of images; their renditions; the credit filter's choices
GRID_QUERIES = 8


def marked_picture(corner: str) -> ContentFile:
    """A white 2000x1000 picture with a red 200 px square in one corner."""
    picture = PILImage.new("RGB", (2000, 1000), WHITE)
    left, top = {"top left": (0, 0), "bottom right": (1800, 800)}[corner]
    picture.paste(RED, (left, top, left + 200, top + 200))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="marked.png")


def pixel(rendition: Any, at: tuple[float, float]) -> tuple[int, int, int]:
    """The colour at a point of a rendition given as fractions of its width and height."""
    with rendition.file.open("rb") as handle, PILImage.open(handle) as picture:
        rgb = picture.convert("RGB")
        x = min(int(at[0] * rgb.width), rgb.width - 1)
        y = min(int(at[1] * rgb.height), rgb.height - 1)
        return rgb.getpixel((x, y))


def is_red(colour: tuple[int, int, int]) -> bool:
    return colour[0] > 180 and colour[1] < 80 and colour[2] < 80


class FocalPointCropTests(TestCase):
    def make(self, corner: str, focus: tuple[float, float] | None) -> Image:
        across, down = focus or (None, None)
        with self.captureOnCommitCallbacks(execute=True):
            return ImageFactory(file=marked_picture(corner), focal_x=across, focal_y=down)

    def crops(self, image: Image) -> list[Any]:
        return list(image.renditions.filter(crop__in=["16x9", "4x3", "1x1"]))

    def test_crops_keep_a_focal_point_near_the_top_left_corner(self) -> None:
        image = self.make("top left", (0.05, 0.1))
        crops = self.crops(image)
        self.assertEqual({r.crop for r in crops}, {"16x9", "4x3", "1x1"})
        for rendition in crops:
            with self.subTest(crop=rendition.crop, width=rendition.width):
                self.assertTrue(is_red(pixel(rendition, (0.02, 0.02))))

    def test_crops_keep_a_focal_point_near_the_bottom_right_corner(self) -> None:
        image = self.make("bottom right", (0.95, 0.9))
        for rendition in self.crops(image):
            with self.subTest(crop=rendition.crop, width=rendition.width):
                self.assertTrue(is_red(pixel(rendition, (0.98, 0.98))))

    def test_without_a_focal_point_crops_are_centred(self) -> None:
        """The square crop of a wide picture cuts its corners off, as before."""
        image = self.make("top left", None)
        square = image.renditions.get(crop="1x1")
        self.assertEqual(pixel(square, (0.02, 0.02)), WHITE)

    def test_pictures_in_their_own_shape_are_whole_whatever_the_focus(self) -> None:
        image = self.make("bottom right", (0.95, 0.9))
        for rendition in image.renditions.filter(crop="original"):
            self.assertEqual(rendition.height * 2, rendition.width)
            self.assertTrue(is_red(pixel(rendition, (0.98, 0.98))))
            self.assertEqual(pixel(rendition, (0.02, 0.02)), WHITE)

    def test_changing_the_focal_point_remakes_the_crops_only(self) -> None:
        """The crops are made again around the new point (their old files go), the
        pictures in their own shape are kept, and the pages showing the image are told
        (renditions_changed, which the reader's stored pages listen to)."""
        image = self.make("top left", None)
        before = {r.pk: r.file.name for r in image.renditions.all()}
        crops_before = {(r.crop, r.width, r.format) for r in self.crops(image)}
        originals = set(image.renditions.filter(crop="original").values_list("pk", flat=True))
        told: list[Image] = []

        def listen(sender: Any, owner: Image, **kwargs: Any) -> None:
            told.append(owner)

        renditions_changed.connect(listen)
        self.addCleanup(renditions_changed.disconnect, listen)
        with self.captureOnCommitCallbacks(execute=True):
            image.focal_x, image.focal_y = 0.05, 0.1
            image.save()
        self.assertEqual([owner.pk for owner in told], [image.pk])
        after = {r.pk: r for r in image.renditions.all()}
        self.assertTrue(originals <= set(after))
        crops = self.crops(image)
        self.assertEqual({(r.crop, r.width, r.format) for r in crops}, crops_before)
        for rendition in crops:
            self.assertNotIn(rendition.pk, before)
            self.assertEqual((rendition.focal_x, rendition.focal_y), (0.05, 0.1))
            self.assertTrue(is_red(pixel(rendition, (0.02, 0.02))))
        storage = crops[0].file.storage
        for pk, name in before.items():
            if pk not in originals:
                self.assertFalse(storage.exists(name))

    def test_article_page_showing_the_image_shows_the_new_crops(self) -> None:
        """The article's stored page (its social-card and structured-data crops) is
        made again with the crops around the new point, not left pointing at the old."""
        image = self.make("top left", None)
        article = ArticleFactory(lead_image=image)
        with self.captureOnCommitCallbacks(execute=True):
            article.save()
        old = image.renditions.get(crop="16x9", width=1200, format="jpeg").file.url
        self.assertContains(self.client.get(article.get_absolute_url()), old)
        with self.captureOnCommitCallbacks(execute=True):
            image.focal_x, image.focal_y = 0.05, 0.1
            image.save()
        new = image.renditions.get(crop="16x9", width=1200, format="jpeg").file.url
        self.assertNotEqual(new, old)
        page = self.client.get(article.get_absolute_url())
        self.assertContains(page, new)
        self.assertNotContains(page, old)

    def test_saving_without_a_change_of_focus_remakes_nothing(self) -> None:
        image = self.make("top left", (0.05, 0.1))
        before = set(image.renditions.values_list("pk", flat=True))
        with self.captureOnCommitCallbacks(execute=True):
            image.caption = "A new caption"
            image.save()
        self.assertEqual(set(image.renditions.values_list("pk", flat=True)), before)


class LibraryAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        editor = get_user_model().objects.create_user("edith", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editor"))
        cls.editor = editor

    def setUp(self) -> None:
        self.client.force_login(self.editor)

    def keys(self, query: str = "") -> set[str]:
        """The keys of the images the list shows, leaving out the seed story's."""
        response = self.client.get(LIST_URL + query)
        self.assertEqual(response.status_code, 200)
        shown = {image.key for image in response.context["cl"].result_list}
        return shown - set(Image.objects.filter(key__in=SEED).values_list("key", flat=True))

    def test_unused_filter_finds_images_no_article_shows(self) -> None:
        """Used: an article's lead image, or placed by a marker in its body (a draft's
        too). Unused: neither."""
        lead, placed, loose = (
            ImageFactory(key="lead-one"),
            ImageFactory(key="in_body"),
            ImageFactory(key="loose"),
        )
        ArticleFactory(lead_image=lead)
        ArticleFactory(status="draft", published_at=None, body="Text.\n\n[[image:in_body]]\n")
        # A key that merely starts like the loose one's places something else, and a
        # marker inside a sentence places nothing (readers see it as text).
        ArticleFactory(body="[[image:loose-two]]\n")
        ArticleFactory(body="Text with [[image:loose]] inside a sentence.")
        self.assertEqual(self.keys("?use=unused"), {"loose"})
        self.assertEqual(self.keys("?use=used"), {lead.key, placed.key})
        self.assertIn(loose.key, self.keys())

    def test_alt_text_filter(self) -> None:
        ImageFactory(key="none", alt_text="")
        ImageFactory(key="spaces", alt_text="   ")
        ImageFactory(key="decor", alt_text="", is_decorative=True)
        ImageFactory(key="said", alt_text="A harbour at dawn")
        self.assertEqual(self.keys("?alt=missing"), {"none", "spaces"})
        self.assertEqual(self.keys("?alt=decorative"), {"decor"})
        self.assertEqual(self.keys("?alt=given"), {"said"})

    def test_the_filters_are_titled_in_words(self) -> None:
        """Each filter once, titled as an editor would say it (no "By is decorative":
        decorative pictures are a choice of the alt-text filter)."""
        html = self.client.get(LIST_URL).content.decode()
        titles = re.findall(r"<summary>\s*(.*?)\s*</summary>", html)
        self.assertEqual(titles, ["By use", "By alt text", "By credit", "By created at"])

    def test_credit_filter_lists_each_credit_and_filters_by_it(self) -> None:
        ImageFactory(key="a", credit="WEF")
        ImageFactory(key="b", credit="Reuters")
        ImageFactory(key="c", credit="WEF")
        response = self.client.get(LIST_URL)
        self.assertContains(response, "?credit=Reuters")
        self.assertEqual(self.keys("?credit=WEF"), {"a", "c"})

    def test_search_finds_alt_text_caption_credit_and_key(self) -> None:
        ImageFactory(key="harbour", alt_text="Boats at dawn", caption="Port", credit="AFP")
        ImageFactory(key="other", alt_text="A field", caption="Farm", credit="WEF")
        for term in ("boats", "port", "afp", "harb"):
            with self.subTest(term=term):
                self.assertEqual(self.keys(f"?q={term}"), {"harbour"})

    def test_grid_shows_cards_with_crop_thumbnail_key_alt_and_credit(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            image = ImageFactory(key="harbour", alt_text="", credit="AFP")
        response = self.client.get(LIST_URL)
        thumbnail = image.renditions.get(crop="16x9", format="webp", width=64).file.url
        self.assertContains(response, f'src="{thumbnail}"')
        self.assertContains(response, "No alt text")
        self.assertContains(response, "Credit: AFP")
        self.assertContains(response, reverse("admin:pictures_image_change", args=[image.pk]))
        self.assertContains(response, "admin/pictures/image_admin.css")

    def test_grid_queries_do_not_grow_with_images(self) -> None:
        for _ in range(2):
            with self.captureOnCommitCallbacks(execute=True):
                ImageFactory()
        self.client.get(LIST_URL)  # per-process caches (content types) warm
        with self.assertNumQueries(GRID_QUERIES):
            self.client.get(LIST_URL)
        for _ in range(5):
            with self.captureOnCommitCallbacks(execute=True):
                ImageFactory(credit="Someone else")
        with self.assertNumQueries(GRID_QUERIES):
            response = self.client.get(LIST_URL)
        self.assertEqual(len(response.context["cl"].result_list), 7 + len(SEED))

    def form(self, image: Image, **changes: Any) -> dict[str, Any]:
        data = {
            "key": image.key,
            "alt_text": image.alt_text,
            "caption": image.caption,
            "credit": image.credit,
            "focal_x": "",
            "focal_y": "",
        }
        return {**data, **changes}

    def test_focal_point_is_set_on_the_image_page(self) -> None:
        image = ImageFactory()
        url = reverse("admin:pictures_image_change", args=[image.pk])
        page = self.client.get(url)
        self.assertContains(page, "focal-marker")
        self.assertContains(page, "admin/pictures/focal_point.js")
        self.assertContains(page, 'name="focal_x"')
        response = self.client.post(url, self.form(image, focal_x="0.25", focal_y="0.8"))
        self.assertEqual(response.status_code, 302)
        image.refresh_from_db()
        self.assertEqual(image.focus, (0.25, 0.8))

    def test_focal_point_out_of_the_picture_or_half_given_is_refused(self) -> None:
        image = ImageFactory()
        url = reverse("admin:pictures_image_change", args=[image.pk])
        for changes, message in (
            ({"focal_x": "1.5", "focal_y": "0.5"}, "less than or equal to 1"),
            ({"focal_x": "-0.1", "focal_y": "0.5"}, "greater than or equal to 0"),
            ({"focal_x": "0.5"}, "both across and down"),
        ):
            with self.subTest(changes=changes):
                response = self.client.post(url, self.form(image, **changes))
                self.assertContains(response, message)
        image.refresh_from_db()
        self.assertIsNone(image.focus)
