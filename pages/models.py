from __future__ import annotations

from typing import NamedTuple

from django.db import models
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from newsroom.markdown import render_markdown, validate_markdown


class Policy(NamedTuple):
    slug: str
    title: str
    # The Trust Project property of the publisher's NewsMediaOrganization.
    schema_property: str


# The policy pages every install has (seeded by the pages migration, linked from the
# footer and from the publisher's structured data). Their addresses are fixed,
# so the footer costs no query; their words are edited in the admin.
POLICIES = [
    Policy("principles", "Publishing principles", "publishingPrinciples"),
    Policy("ethics", "Ethics policy", "ethicsPolicy"),
    Policy("corrections", "Corrections policy", "correctionsPolicy"),
    Policy("ownership", "Ownership and funding", "ownershipFundingInfo"),
    Policy("masthead", "Masthead", "masthead"),
    Policy("feedback", "Feedback and contact", "actionableFeedbackPolicy"),
]
POLICY_SLUGS = frozenset(policy.slug for policy in POLICIES)


class Page(models.Model):
    """A page of editable standing content, such as the ethics policy."""

    slug = models.SlugField(
        max_length=100, unique=True, help_text="The page's address: /about/<slug>/."
    )
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown.", validators=[validate_markdown])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pages:detail", kwargs={"slug": self.slug})

    @property
    def is_policy(self) -> bool:
        """Policy pages are linked from every page: they can be edited, not removed."""
        return self.slug in POLICY_SLUGS

    def body_html(self) -> SafeString:
        return mark_safe(render_markdown(self.body))  # noqa: S308 (sanitised by nh3)
