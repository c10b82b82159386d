from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from newsroom import views

admin.site.site_header = f"{settings.SITE_NAME} newsroom"
admin.site.site_title = f"{settings.SITE_NAME} newsroom"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("readyz/", views.readyz, name="readyz"),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("", include("articles.urls")),
    path("", include("authors.urls")),
    path("", include("pages.urls")),
]

if settings.SERVE_MEDIA:
    # django.conf.urls.static.static() is a no-op unless DEBUG; serve media when asked to.
    urlpatterns.append(
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )
