"""Third-party apps named as the newsroom thinks of them, the way Django offers for an
app one does not own: a subclass of its AppConfig listed in INSTALLED_APPS."""

from axes.apps import AppConfig as AxesConfig
from django_tasks_db.apps import TasksAppConfig
from taggit.apps import TaggitAppConfig


class TopicsConfig(TaggitAppConfig):
    verbose_name = "Topics"

    def ready(self) -> None:
        from taggit.models import Tag

        # A tag is a topic everywhere an editor reads it (menu, titles, messages).
        # Migrations read taggit's own Meta (original_attrs), so they are unaffected.
        Tag._meta.verbose_name = "topic"
        Tag._meta.verbose_name_plural = "topics"


class SignInSecurityConfig(AxesConfig):
    verbose_name = "Sign-in security"


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = "Background tasks"
