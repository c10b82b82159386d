from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from newsroom import errors, health, views

admin.site.site_header = f"{settings.SITE_NAME} newsroom"
admin.site.site_title = f"{settings.SITE_NAME} newsroom"
admin.site.index_title = "Newsroom"

# A database that is down gives the styled 503 page (newsroom.errors), not a 500.
handler500 = errors.server_error

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", health.healthz, name="healthz"),
    path("readyz/", health.readyz, name="readyz"),
    path("search/", views.search, name="search"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap_section"),
    path("news-sitemap.xml", views.news_sitemap, name="news_sitemap"),
    # Admin pages of models that moved to their own apps: old bookmarks still open them.
    re_path(
        rf"^{settings.ADMIN_PATH}articles/(?P<model>{'|'.join(views.MOVED_ADMIN)})/(?P<rest>.*)$",
        views.moved_admin_page,
    ),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("", include("reader.urls")),
    path("", include("reader.author_urls")),
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
