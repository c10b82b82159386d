"""The form renderer: TEMPLATES' templates, with Django's own form templates in Jinja2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import Jinja2, TemplatesSetting
from django.template.loader import get_template
from django.utils.functional import cached_property

# Where Django keeps the form templates of the Django template language.
DJANGO_FORM_TEMPLATES = Path(django.forms.__file__).resolve().parent / "templates"


class TemplatesWithJinja2Forms(TemplatesSetting):
    """Templates are found through TEMPLATES, so templates/ overrides any of them (the
    admin's date-and-time widget does). A template found among Django's own form
    templates (inputs, selects, labels, error lists) is rendered from the Jinja2 copy
    Django ships beside it, which writes the same HTML faster: an admin article page
    renders hundreds of them, a large share of its time with the template language."""

    def __init__(self) -> None:
        self._is_djangos: dict[str, bool] = {}

    @cached_property
    def jinja2(self) -> Jinja2:
        return Jinja2()

    def get_template(self, template_name: str) -> Any:
        djangos = self._is_djangos.get(template_name)
        if djangos is None:
            template = get_template(template_name)
            # A template of another engine in TEMPLATES has no origin: it is not Django's.
            origin = getattr(template, "origin", None)
            djangos = self._is_djangos[template_name] = origin is not None and Path(
                origin.name
            ).resolve().is_relative_to(DJANGO_FORM_TEMPLATES)
            if not djangos:
                return template
        if djangos:
            return self.jinja2.get_template(template_name)
        return super().get_template(template_name)
