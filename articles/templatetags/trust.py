from typing import Any

from django import template
from django.utils.safestring import SafeString

from articles import trust
from articles.models import Article, Quote

register = template.Library()


@register.simple_tag(takes_context=True)
def article_json_ld(context: dict[str, Any], article: Article) -> SafeString:
    return trust.as_script_json(trust.article_graph(article, context["request"]))


@register.simple_tag(takes_context=True)
def quote_json_ld(context: dict[str, Any], quote: Quote) -> SafeString:
    return trust.as_script_json(trust.quote_graph(quote, context["request"]))
