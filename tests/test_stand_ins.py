"""Stand-in pictures (newsroom.stand_ins): generated art that reads as a photograph
waiting to be uploaded, with the caption's initials, the same every time."""

from django.test import SimpleTestCase, TestCase
from PIL import Image as PILImage

from articles.models import Article
from newsroom import stand_ins

# A flat colour with words on it has a few hundred colours (the letters' anti-aliasing);
# a tinted, blurred pattern has thousands.
PATTERN_COLOURS = 1000


def colour_count(file: object) -> int:
    with PILImage.open(file) as picture:
        return len(picture.convert("RGB").getcolors(maxcolors=1 << 24) or [])


class StandInArtTests(SimpleTestCase):
    def test_initials_come_from_the_caption(self) -> None:
        for caption, letters in [("Marc Benioff", "MB"), ("data centre", "DC"),
                                 ("Salesforce border tweet", "SB"), ("…", "?")]:  # fmt: skip
            with self.subTest(caption=caption):
                self.assertEqual(stand_ins.initials(caption), letters)

    def test_the_same_caption_draws_the_same_picture(self) -> None:
        self.assertEqual(
            stand_ins.draw("Town hall", (320, 180)), stand_ins.draw("Town hall", (320, 180))
        )
        self.assertNotEqual(
            stand_ins.draw("Town hall", (320, 180)), stand_ins.draw("Trade floor", (320, 180))
        )


class SeededPicturesTests(TestCase):
    def test_the_seeded_pictures_are_patterns_not_grey_boxes(self) -> None:
        """The seeded story's lead image and its author's photo are generated art of the
        size asked for, with the pattern's many shades."""
        article = Article.objects.get(slug__startswith="salesforce-staffers")
        for file, size in [
            (article.lead_image.file, (1600, 900)),
            (article.ordered_authors[0].photo, (400, 400)),
        ]:
            with self.subTest(name=file.name), file.open("rb") as opened:
                self.assertGreater(colour_count(opened), PATTERN_COLOURS)
                opened.seek(0)
                with PILImage.open(opened) as picture:
                    self.assertEqual(picture.size, size)
