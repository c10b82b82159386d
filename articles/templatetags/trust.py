from typing import Any

from django import template
from django.utils.safestring import SafeString

from articles import trust
from articles.models import Article, Quote
from authors.models import Author

register = template.Library()


@register.simple_tag(takes_context=True)
def trust_json_ld(context: dict[str, Any], subject: Article | Quote | Author) -> SafeString:
    """The JSON-LD of an article (with its publisher, authors and quotes), a quote or
    an author, ready for a <script type="application/ld+json"> element."""
    request = context["request"]
    if isinstance(subject, Article):
        return trust.as_script_json(trust.article_graph(subject, request))
    if isinstance(subject, Quote):
        return trust.as_script_json(trust.quote_graph(subject, request))
    return trust.as_script_json(trust.author_graph(subject, request))
