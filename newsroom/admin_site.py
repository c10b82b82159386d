"""The admin as editors and writers find it: their sections named for their work, and
the tools that run the site kept to the people who run it."""

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db.models import Model
from django.http import HttpRequest

# Apps whose records are for whoever runs the site, not for the newsroom: sign-in
# lockouts, background jobs, backups, revision storage, and accounts (anyone who can
# change users can make themselves a superuser). Only superusers see or open them,
# whatever permissions a group hands out.
SUPERUSER_APPS = frozenset({"auth", "axes", "backups", "django_tasks_database", "reversion"})

# Sections listed inside another one: topics, images, speakers, organisations and the
# register are all part of the newsroom's work, whichever app holds them.
LISTED_UNDER = dict.fromkeys(("taggit", "pictures", "quotes", "disclosures"), "articles")


class SuperusersOnly(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.has_module_permission(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return self.has_module_permission(request) and allowed

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return self.has_module_permission(request) and allowed


class NewsroomAdminSite(admin.AdminSite):
    def register(
        self,
        model_or_iterable: type[Model] | Iterable[type[Model]],
        admin_class: type[admin.ModelAdmin] | None = None,
        **options: Any,
    ) -> None:
        """Registers as Django does; a model of a SUPERUSER_APPS app gets an admin that
        refuses everyone else on every page, not only in the menu."""
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        for model in models:
            model_admin = admin_class or admin.ModelAdmin
            if model._meta.app_label in SUPERUSER_APPS:
                model_admin = type(model_admin.__name__, (SuperusersOnly, model_admin), {})
            super().register(model, model_admin, **options)

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list
        sections = {app["app_label"]: app for app in app_list}
        for label, host in LISTED_UNDER.items():
            if label in sections and host in sections:
                guest = sections.pop(label)
                sections[host]["models"] = sorted(
                    sections[host]["models"] + guest["models"], key=lambda model: model["name"]
                )
        return list(sections.values())


class NewsroomAdminConfig(AdminConfig):
    default_site = "newsroom.admin_site.NewsroomAdminSite"
