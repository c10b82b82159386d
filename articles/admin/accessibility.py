"""The editor's accessibility panel: the body's findings (articles.accessibility) as
the writer types, before anything is saved."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from articles import accessibility
from articles.admin.pages import ArticlePages
from newsroom.markdown import marker_keys, validate_markdown
from pictures.models import Image

PANEL_TEMPLATE = "admin/articles/article/accessibility_panel.html"


class AccessibilityViews(ArticlePages):
    """ArticleAdmin's accessibility panel."""

    def accessibility_view(self, request: HttpRequest) -> HttpResponse:
        """The findings for the form's body and lead image as posted (unsaved), as the
        panel's HTML, which accessibility.js shows beside the preview."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        body = request.POST.get("body", "")
        try:
            validate_markdown(body)
        except ValidationError as error:
            # The form refuses such a body on save, with the same words.
            return TemplateResponse(
                request, PANEL_TEMPLATE, {"error": " ".join(error.messages)}, status=400
            )
        images = Image.objects.filter(key__in=marker_keys(body, "image"))
        lead = request.POST.get("lead_image", "")
        lead_image = Image.objects.filter(pk=lead).first() if lead.isdigit() else None
        found = accessibility.findings(body, {image.key: image for image in images}, lead_image)
        return TemplateResponse(request, PANEL_TEMPLATE, {"findings": found})
