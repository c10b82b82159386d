from django import template

from pages.models import POLICIES, Policy

register = template.Library()


@register.simple_tag
def policy_pages() -> list[Policy]:
    """The policy pages the footer links to (fixed addresses: no query)."""
    return POLICIES
