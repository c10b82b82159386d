"""factory_boy factories: a published article by default, with everything it needs."""

import datetime
import io

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage
from taggit.models import Tag

from articles.models import Article, Byline, Citation, Correction
from authors.models import Author, AuthorLink
from disclosures.models import AuthorInterest, Disclosure, Organisation
from pictures.models import Image
from quotes.models import Quote, Speaker


def png_bytes(size: tuple[int, int] = (64, 48), colour: str = "#336699") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Reporter {n}")
    slug = factory.Sequence(lambda n: f"reporter-{n}")
    job_title = "Reporter"
    bio = "Covers enterprise technology."

    class Params:
        # AuthorFactory(with_photo=True): a 600 x 400 PNG portrait (renditions are made
        # on commit, as for any saved author).
        with_photo = factory.Trait(
            photo=factory.LazyFunction(
                lambda: ContentFile(png_bytes((600, 400), "#884422"), name="photo.png")
            )
        )


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    key = factory.Sequence(lambda n: f"picture-{n}")
    file = factory.LazyFunction(lambda: ContentFile(png_bytes(), name="picture.png"))
    alt_text = "A test picture"
    caption = "A caption"
    credit = "Test Agency"


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"Test headline number {n}")
    slug = factory.Sequence(lambda n: f"test-headline-{n}")
    standfirst = "A standfirst that sums the story up."
    body = "A first paragraph.\n\nA second paragraph."
    kind = Article.Kind.NEWS
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))

    @factory.post_generation
    def authors(self, create: bool, extracted: list[Author] | None, **kwargs: object) -> None:
        if not create:
            return
        for position, author in enumerate(extracted or [AuthorFactory()]):
            Byline.objects.create(article=self, author=author, position=position)


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An organisation with its own topic (tag), named after it."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Example Corp {n}")
    slug = factory.Sequence(lambda n: f"example-corp-{n}")
    tag = factory.LazyAttribute(lambda o: Tag.objects.create(name=o.name, slug=o.slug))


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Spokesperson {n}")
    slug = factory.Sequence(lambda n: f"spokesperson-{n}")


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    article = factory.SubFactory(ArticleFactory)
    key = factory.Sequence(lambda n: f"quote-{n}")
    text = "Words somebody said."
    speaker = factory.SubFactory(SpeakerFactory)
    source_kind = Quote.SourceKind.STATEMENT
    is_pull_quote = True


class DisclosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disclosure

    organisation = factory.SubFactory(OrganisationFactory)
    kind = Disclosure.Kind.PARTNER
    statement = "Example Corp is a partner of this site"
    valid_from = datetime.date(2020, 1, 1)


class AuthorInterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorInterest

    author = factory.SubFactory(AuthorFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    kind = AuthorInterest.Kind.HOLDING
    statement = "The author owns shares in Example Corp"
    started_on = datetime.date(2020, 1, 1)


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    article = factory.SubFactory(ArticleFactory)
    text = "An earlier version misspelt a name."


class AuthorLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorLink

    author = factory.SubFactory(AuthorFactory)
    label = "Website"
    url = factory.Sequence(lambda n: f"https://reporter-{n}.example.com/")


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    article = factory.SubFactory(ArticleFactory)
    title = factory.Sequence(lambda n: f"Cited report {n}")
    url = "https://example.com/report"
