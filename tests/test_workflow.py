"""The editorial workflow, exercised through real HTTP requests to the admin."""

import datetime
import re
from io import StringIO
from typing import Any
from unittest import mock
from xml.etree import ElementTree

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import services
from articles.models import Article, ChecklistOverride, Correction
from quotes.models import Quote
from tests.base import page_text
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, QuoteFactory

User = get_user_model()
Status = Article.Status


def make_user(username: str, role: str | None) -> Any:
    user = User.objects.create_user(username, f"{username}@example.com", "pw-for-tests-only")
    if role:
        call_command("grant_role", username, role, stdout=StringIO())
    return user


def admin_url(name: str, *args: Any) -> str:
    return reverse(f"admin:articles_article_{name}", args=args)


class WorkflowTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = make_user("wendy", "writer")
        cls.other_writer = make_user("oscar", "writer")
        cls.editor = make_user("edith", "editor")
        cls.writer_author = AuthorFactory(name="Wendy Writer", user=cls.writer)

    def draft(self, **fields: Any) -> Article:
        """A complete draft written by the writer."""
        article = ArticleFactory(
            status=Status.DRAFT,
            published_at=None,
            created_by=self.writer,
            authors=[self.writer_author],
            **fields,
        )
        article.tags.add("Cloud")
        return article

    def change_form(self, article: Article, **overrides: Any) -> dict[str, Any]:
        """The change form as the browser would post it, inlines included."""
        data: dict[str, Any] = {
            "headline": article.headline,
            "slug": article.slug,
            "kind": article.kind,
            "standfirst": article.standfirst,
            "body": article.body,
            "tags": ", ".join(t.name for t in article.tags.all()),
            "lead_image": article.lead_image_id or "",
            "embargo_until_0": "",
            "embargo_until_1": "",
            "embargo_by": article.embargo_by,
            "embargo_note": article.embargo_note,
            "loaded_version": article.version,
            "update_reason": "",
        }
        for prefix, rows in [
            ("bylines", list(article.bylines.all())),
            ("quotes", list(article.quotes.all())),
            ("corrections", []),
            ("own_disclosures", []),
            ("citations", []),
        ]:
            data.update(
                {
                    f"{prefix}-TOTAL_FORMS": len(rows),
                    f"{prefix}-INITIAL_FORMS": len(rows),
                    f"{prefix}-MIN_NUM_FORMS": 0,
                    f"{prefix}-MAX_NUM_FORMS": 1000,
                }
            )
            for index, row in enumerate(rows):
                data[f"{prefix}-{index}-id"] = row.pk
                data[f"{prefix}-{index}-article"] = article.pk
                if prefix == "bylines":
                    data[f"{prefix}-{index}-author"] = row.author_id
                    data[f"{prefix}-{index}-position"] = row.position
                else:
                    for field in ["key", "text", "speaker_id", "source_kind", "position"]:
                        data[f"{prefix}-{index}-{field.removesuffix('_id')}"] = getattr(row, field)
                    data[f"{prefix}-{index}-is_pull_quote"] = "on" if row.is_pull_quote else ""
        data.update(overrides)
        return data

    def status_of(self, article: Article) -> str:
        return Article.objects.values_list("status", flat=True).get(pk=article.pk)


class PermissionMatrixTests(WorkflowTestCase):
    """Anonymous, writer, another writer and editor × view, edit, submit, publish,
    schedule, unpublish and preview, all through HTTP."""

    def login(self, who: str) -> None:
        users = {"writer": self.writer, "other": self.other_writer, "editor": self.editor}
        if who in users:
            self.client.force_login(users[who])

    def test_view(self) -> None:
        expected = {"anonymous": 302, "writer": 200, "other": 302, "editor": 200}
        for who, code in expected.items():
            with self.subTest(who=who):
                article = self.draft()
                self.client.logout()
                self.login(who)
                response = self.client.get(admin_url("change", article.pk))
                self.assertEqual(response.status_code, code)
                if code == 302:
                    self.assertNotContains(response, article.headline, status_code=302)
                    self.assertNotEqual(self.client.get(response["Location"]).status_code, 500)

    def test_edit(self) -> None:
        expected = {"anonymous": False, "writer": True, "other": False, "editor": True}
        for who, allowed in expected.items():
            with self.subTest(who=who):
                article = self.draft()
                self.client.logout()
                self.login(who)
                self.client.post(
                    admin_url("change", article.pk), self.change_form(article, headline="Edited")
                )
                article.refresh_from_db()
                self.assertIs(article.headline == "Edited", allowed)

    def test_writer_cannot_edit_own_article_once_in_review(self) -> None:
        article = self.draft()
        services.submit_for_review(article=article, user=self.writer)
        self.client.force_login(self.writer)
        response = self.client.post(
            admin_url("change", article.pk), self.change_form(article, headline="Edited")
        )
        self.assertEqual(response.status_code, 403)
        article.refresh_from_db()
        self.assertNotEqual(article.headline, "Edited")

    def run_move(self, who: str, action: str, article: Article, **data: Any) -> int:
        self.client.logout()
        self.login(who)
        return self.client.post(admin_url("workflow", article.pk, action), data).status_code

    def test_submit(self) -> None:
        expected = {"anonymous": False, "writer": True, "other": False, "editor": True}
        for who, allowed in expected.items():
            with self.subTest(who=who):
                article = self.draft()
                self.run_move(who, "submit", article)
                self.assertIs(self.status_of(article) == Status.REVIEW, allowed)

    def test_publish_and_schedule(self) -> None:
        tomorrow = timezone.localtime() + datetime.timedelta(days=1)
        expected = {"anonymous": False, "writer": False, "other": False, "editor": True}
        for who, allowed in expected.items():
            for when in ["", tomorrow.strftime("%Y-%m-%dT%H:%M")]:
                with self.subTest(who=who, scheduled=bool(when)):
                    article = self.draft()
                    code = self.run_move(who, "publish", article, publish_at=when)
                    self.assertIs(self.status_of(article) == Status.PUBLISHED, allowed)
                    if who == "writer":
                        self.assertEqual(code, 403)
                    article.refresh_from_db()
                    if allowed:
                        self.assertIs(article.is_live, not when)

    def test_unpublish_and_archive(self) -> None:
        expected = {"anonymous": False, "writer": False, "other": False, "editor": True}
        for who, allowed in expected.items():
            for action, target in [("unpublish", Status.DRAFT), ("archive", Status.ARCHIVED)]:
                with self.subTest(who=who, action=action):
                    article = self.draft()
                    services.publish(article=article, user=self.editor)
                    self.run_move(who, action, article)
                    self.assertIs(self.status_of(article) == target, allowed)

    def test_preview(self) -> None:
        expected = {"anonymous": False, "writer": True, "other": False, "editor": True}
        for who, allowed in expected.items():
            with self.subTest(who=who):
                article = self.draft()
                self.client.logout()
                self.login(who)
                response = self.client.get(admin_url("preview", article.pk))
                if allowed:
                    self.assertContains(response, article.headline)
                else:
                    self.assertNotContains(
                        response, article.headline, status_code=response.status_code
                    )
                    self.assertIn(response.status_code, (302, 404))

    def test_side_pages_check_the_object(self) -> None:
        """History, compare, restore and share refuse another writer's article."""
        article = self.draft()
        self.client.force_login(self.other_writer)
        for url in [
            admin_url("history", article.pk),
            admin_url("compare", article.pk) + "?from=1&to=2",
            admin_url("restore", article.pk, 1),
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(admin_url("share", article.pk)).status_code, 404)

    def test_writer_list_shows_only_their_articles(self) -> None:
        mine = self.draft(headline="Mine, all mine")
        theirs = ArticleFactory(
            headline="Someone else's scoop", status=Status.DRAFT, published_at=None
        )
        self.client.force_login(self.writer)
        response = self.client.get(admin_url("changelist"))
        self.assertContains(response, mine.headline)
        self.assertNotContains(response, theirs.headline)

    def test_forged_status_fields_are_ignored(self) -> None:
        """A writer posting status=published with a time gains nothing."""
        article = self.draft()
        self.client.force_login(self.writer)
        now = timezone.localtime()
        forged = self.change_form(
            article,
            status="published",
            published_at_0=now.strftime("%Y-%m-%d"),
            published_at_1=now.strftime("%H:%M:%S"),
        )
        self.client.post(admin_url("change", article.pk), forged)
        self.assertEqual(self.status_of(article), Status.DRAFT)
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 404)


class RolesTests(WorkflowTestCase):
    def test_groups_come_from_the_migration(self) -> None:
        """Only editors may publish; both roles may write."""
        editor = Group.objects.get(name="Editor").permissions.values_list("codename", flat=True)
        writer = Group.objects.get(name="Writer").permissions.values_list("codename", flat=True)
        self.assertIn("publish_article", editor)
        self.assertNotIn("publish_article", writer)
        self.assertIn("add_article", writer)

    def test_grant_role_command(self) -> None:
        user = make_user("newbie", None)
        out = StringIO()
        call_command("grant_role", "newbie", "Editor", "--dry-run", stdout=out)
        self.assertIn("Would grant the editor role to newbie", out.getvalue())
        user.refresh_from_db()
        self.assertFalse(user.is_staff)
        call_command("grant_role", "newbie", "editor", stdout=out)
        user.refresh_from_db()
        self.assertTrue(user.is_staff)
        self.assertTrue(user.has_perm("articles.publish_article"))
        call_command("grant_role", "newbie", "editor", "--remove", stdout=out)
        self.assertFalse(User.objects.get(pk=user.pk).has_perm("articles.publish_article"))

    def test_grant_role_refuses_bad_input(self) -> None:
        with self.assertRaisesMessage(CommandError, "Unknown role 'boss'"):
            call_command("grant_role", "wendy", "boss", stdout=StringIO())
        with self.assertRaisesMessage(
            CommandError,
            "No user called 'ghost'. To create the account and grant the role: "
            "manage.py grant_role ghost writer --create",
        ):
            call_command("grant_role", "ghost", "writer", stdout=StringIO())

    def test_grant_role_creates_the_account_with_the_password_from_the_environment(
        self,
    ) -> None:
        """A script creates an editor in one command: the account can log in and publish."""
        out = StringIO()
        with mock.patch.dict("os.environ", {"NEWSROOM_PASSWORD": "plum-harbour-42"}):
            call_command("grant_role", "alice", "editor", "--create", "--no-input", stdout=out)
        self.assertIn("Created the account alice with the editor role.", out.getvalue())
        alice = User.objects.get(username="alice")
        self.assertTrue(alice.is_staff)
        self.assertTrue(alice.check_password("plum-harbour-42"))
        self.assertTrue(alice.has_perm("articles.publish_article"))
        response = self.client.post(
            reverse("admin:login"),
            {"username": "alice", "password": "plum-harbour-42", "next": reverse("admin:index")},
        )
        self.assertRedirects(response, reverse("admin:index"))

    def test_grant_role_create_refuses_without_a_password_when_it_cannot_ask(self) -> None:
        """No terminal and no NEWSROOM_PASSWORD: a clear refusal, and no account."""
        with mock.patch.dict("os.environ", clear=False) as environ:
            environ.pop("NEWSROOM_PASSWORD", None)
            with self.assertRaisesMessage(
                CommandError,
                "No password for the new account 'alice': set NEWSROOM_PASSWORD in the "
                "environment, or run the command at a terminal to be asked for one.",
            ):
                call_command("grant_role", "alice", "editor", "--create", stdout=StringIO())
        self.assertFalse(User.objects.filter(username="alice").exists())

    def test_grant_role_create_refuses_a_weak_password(self) -> None:
        with (
            mock.patch.dict("os.environ", {"NEWSROOM_PASSWORD": "12345"}),
            self.assertRaisesMessage(CommandError, "NEWSROOM_PASSWORD is not accepted: "),
        ):
            call_command("grant_role", "alice", "writer", "--create", stdout=StringIO())
        self.assertFalse(User.objects.filter(username="alice").exists())

    def test_grant_role_create_on_an_existing_account_only_grants(self) -> None:
        make_user("bob", None)
        out = StringIO()
        call_command("grant_role", "bob", "writer", "--create", stdout=out)
        self.assertIn("Granted the writer role to bob.", out.getvalue())
        self.assertTrue(User.objects.get(username="bob").check_password("pw-for-tests-only"))


class ScheduleAndEmbargoTests(WorkflowTestCase):
    def test_scheduled_article_goes_live_by_itself(self) -> None:
        """Invisible before its time, visible after it, with no cron."""
        article = self.draft()
        at = timezone.now() + datetime.timedelta(hours=2)
        services.publish(article=article, user=self.editor, at=at)
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 404)
        self.assertTrue(article.state_label.startswith("Scheduled for"))
        later = at + datetime.timedelta(minutes=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 200)
            self.assertContains(self.client.get("/"), article.headline)

    def embargoed(self) -> Article:
        article = self.draft(embargo_until=timezone.now() + datetime.timedelta(hours=3))
        article.embargo_by = "Example Corp press office"
        article.save()
        return article

    def test_publish_button_refuses_before_embargo(self) -> None:
        article = self.embargoed()
        self.client.force_login(self.editor)
        response = self.client.post(
            admin_url("workflow", article.pk, "publish"), {"publish_at": ""}
        )
        self.assertContains(response, "Embargoed until")
        self.assertEqual(self.status_of(article), Status.DRAFT)

    def test_schedule_before_embargo_refused_at_or_after_allowed(self) -> None:
        article = self.embargoed()
        with self.assertRaisesMessage(services.WorkflowError, "Embargoed until"):
            services.publish(
                article=article,
                user=self.editor,
                at=article.embargo_until - datetime.timedelta(minutes=1),
            )
        services.publish(article=article, user=self.editor, at=article.embargo_until)
        self.assertEqual(self.status_of(article), Status.PUBLISHED)

    def test_bulk_publish_refuses_embargoed(self) -> None:
        article = self.embargoed()
        self.client.force_login(self.editor)
        response = self.client.post(
            admin_url("changelist"),
            {"action": "publish_selected", "_selected_action": [article.pk]},
            follow=True,
        )
        self.assertContains(response, "Not published")
        self.assertEqual(self.status_of(article), Status.DRAFT)

    def test_no_other_path_can_show_an_embargoed_article(self) -> None:
        """Even a row written directly as published (an import, a script, an API) stays
        invisible until the embargo ends: the visibility rule itself checks it."""
        article = self.embargoed()
        Article.objects.filter(pk=article.pk).update(
            status=Status.PUBLISHED, published_at=timezone.now() - datetime.timedelta(hours=1)
        )
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 404)
        self.assertNotContains(self.client.get("/"), article.headline)
        with mock.patch(
            "django.utils.timezone.now",
            return_value=article.embargo_until + datetime.timedelta(seconds=1),
        ):
            self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 200)

    def test_embargo_stays_editable_and_is_shown(self) -> None:
        article = self.embargoed()
        self.client.force_login(self.editor)
        page = self.client.get(admin_url("change", article.pk))
        self.assertContains(page, "EMBARGOED until")
        self.assertContains(page, "Example Corp press office")
        listing = self.client.get(admin_url("changelist"))
        self.assertContains(listing, "Embargoed until")


class ChecklistTests(WorkflowTestCase):
    def test_hard_checks_cannot_be_overridden(self) -> None:
        """No author: refused, even with a reason."""
        article = self.draft()
        article.bylines.all().delete()
        with self.assertRaisesMessage(services.WorkflowError, "No author"):
            services.publish(article=article, user=self.editor, override_reason="Breaking news")
        self.assertEqual(self.status_of(article), Status.DRAFT)

    def test_each_hard_check_names_its_problem(self) -> None:
        cases = {
            "No kind of work": {"kind": ""},
            "[[quote:ghost]]": {"body": "Text\n\n[[quote:ghost]]"},
        }
        for problem, fields in cases.items():
            with self.subTest(problem=problem):
                article = self.draft(**fields)
                with self.assertRaisesMessage(services.WorkflowError, problem):
                    services.publish(article=article, user=self.editor)

    def test_soft_check_needs_a_recorded_override(self) -> None:
        """No standfirst and an image without alt text: refused without a reason; with
        one, published, and the override is in the history with who and why."""
        article = self.draft(standfirst="", lead_image=ImageFactory(alt_text=""))
        self.client.force_login(self.editor)
        url = admin_url("workflow", article.pk, "publish")
        page = self.client.get(url)
        self.assertContains(page, "No standfirst.")
        self.assertContains(page, "Images without alt text")
        response = self.client.post(url, {"publish_at": "", "override_reason": ""})
        self.assertContains(response, "Cannot publish without a reason to override")
        self.assertEqual(self.status_of(article), Status.DRAFT)

        response = self.client.post(url, {"publish_at": "", "override_reason": "Breaking news"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.status_of(article), Status.PUBLISHED)
        override = ChecklistOverride.objects.get(article=article)
        self.assertEqual((override.user, override.reason), (self.editor, "Breaking news"))
        self.assertIn("No standfirst.", override.checks)
        latest = services.revisions(article)[0].revision
        self.assertEqual(latest.user, self.editor)
        self.assertIn("Reason: Breaking news", latest.comment)
        history = self.client.get(admin_url("history", article.pk))
        self.assertContains(history, "Reason: Breaking news")

    def test_writer_submit_runs_the_checks(self) -> None:
        article = self.draft(kind="")
        self.client.force_login(self.writer)
        response = self.client.post(admin_url("workflow", article.pk, "submit"))
        self.assertContains(response, "No kind of work chosen")
        self.assertEqual(self.status_of(article), Status.DRAFT)

    def test_incomplete_draft_saves_without_complaint(self) -> None:
        """A draft with no standfirst, kind, topics or author saves."""
        self.client.force_login(self.writer)
        data = self.change_form(
            self.draft(), headline="Half an idea", standfirst="", kind="", tags=""
        )
        data.update({"bylines-TOTAL_FORMS": 0, "bylines-INITIAL_FORMS": 0})
        response = self.client.post(
            reverse("admin:articles_article_add"), {**data, "slug": "half-an-idea"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Article.objects.filter(slug="half-an-idea", status=Status.DRAFT).exists())


class UpdatedTimeTests(WorkflowTestCase):
    def setUp(self) -> None:
        self.article = self.draft()
        services.publish(
            article=self.article, user=self.editor, at=timezone.now() - datetime.timedelta(hours=5)
        )
        self.client.force_login(self.editor)

    def save(self, **overrides: Any) -> Any:
        self.article.refresh_from_db()
        return self.client.post(
            admin_url("change", self.article.pk), self.change_form(self.article, **overrides)
        )

    def updated_at(self) -> datetime.datetime | None:
        return Article.objects.values_list("updated_at", flat=True).get(pk=self.article.pk)

    def test_typo_and_tag_changes_do_not_move_updated(self) -> None:
        self.assertEqual(self.save(body=self.article.body + " Typo fixed.").status_code, 302)
        self.assertEqual(self.save(tags="Cloud, Data").status_code, 302)
        self.assertIsNone(self.updated_at())
        self.assertNotContains(self.client.get(self.article.get_absolute_url()), "Updated")

    def test_correction_moves_updated_and_shows(self) -> None:
        correction = Correction.objects.create(
            article=self.article, text="We misspelt the CEO's name."
        )
        self.assertEqual(self.updated_at(), correction.published_at)
        page = self.client.get(self.article.get_absolute_url())
        self.assertContains(page, "We misspelt the CEO&#x27;s name.")
        self.assertContains(page, "Updated")

    def test_substantive_update_needs_a_reason_and_moves_updated(self) -> None:
        response = self.save(substantive_update="on", update_reason="")
        self.assertContains(response, "Say what changed")
        self.assertIsNone(self.updated_at())
        self.assertEqual(
            self.save(substantive_update="on", update_reason="Adds the reply.").status_code, 302
        )
        self.assertIsNotNone(self.updated_at())
        self.assertContains(self.client.get(self.article.get_absolute_url()), "Adds the reply.")


class LostUpdateTests(WorkflowTestCase):
    def test_second_save_is_refused_naming_who_saved_and_keeping_the_text(self) -> None:
        article = self.draft()
        second_editor = make_user("ed2", "editor")
        stale_form = self.change_form(article, body="My long careful rewrite.")
        self.client.force_login(second_editor)
        self.client.post(
            admin_url("change", article.pk), self.change_form(article, body="Their edit.")
        )
        self.client.force_login(self.editor)
        response = self.client.post(admin_url("change", article.pk), stale_form)
        self.assertContains(response, "ed2 saved this article at")
        self.assertContains(response, "My long careful rewrite.")
        article.refresh_from_db()
        self.assertEqual(article.body, "Their edit.")


class RevisionTests(WorkflowTestCase):
    def test_history_compare_and_restore_with_quotes_and_tags(self) -> None:
        article = self.draft(body="First words.\n\n[[quote:q1]]")
        QuoteFactory(article=article, key="q1", text="Original quote.", is_pull_quote=False)
        self.client.force_login(self.editor)
        self.client.post(admin_url("change", article.pk), self.change_form(article))
        article.refresh_from_db()
        data = self.change_form(article, body="Second words.\n\n[[quote:q1]]", tags="Data")
        data["quotes-0-text"] = "Changed quote."
        self.assertEqual(self.client.post(admin_url("change", article.pk), data).status_code, 302)
        versions = services.revisions(article)
        self.assertEqual(len(versions), 2)

        history = self.client.get(admin_url("history", article.pk))
        self.assertContains(history, "edith")
        compare = self.client.get(
            admin_url("compare", article.pk), {"from": versions[1].pk, "to": versions[0].pk}
        )
        for marked in [
            "<del>First</del><ins>Second</ins> words.",
            "<del>Original</del><ins>Changed</ins> quote.",
            "<del>Cloud</del><ins>Data</ins>",
        ]:
            self.assertContains(compare, marked)

        restore_url = admin_url("restore", article.pk, versions[1].revision_id)
        self.assertContains(self.client.get(restore_url), "Restore this revision")
        self.assertEqual(self.client.post(restore_url).status_code, 302)
        article.refresh_from_db()
        self.assertEqual(article.body, "First words.\n\n[[quote:q1]]")
        self.assertEqual(Quote.objects.get(article=article).text, "Original quote.")
        self.assertEqual([t.name for t in article.tags.all()], ["Cloud"])
        self.assertEqual(article.status, Status.DRAFT)
        newest = services.revisions(article)
        self.assertEqual(len(newest), 3)
        self.assertIn("Restored the revision", newest[0].revision.comment)

    def test_every_move_is_a_revision_naming_its_user(self) -> None:
        article = self.draft()
        services.submit_for_review(article=article, user=self.writer)
        services.publish(article=article, user=self.editor)
        comments = [(v.revision.user, v.revision.comment) for v in services.revisions(article)]
        self.assertEqual(
            comments, [(self.editor, "Published"), (self.writer, "Submitted for review")]
        )
        self.assertTrue(Version.objects.get_for_object(article).exists())


class ShareLinkTests(WorkflowTestCase):
    def share(self, article: Article) -> str:
        self.client.force_login(self.editor)
        response = self.client.post(admin_url("share", article.pk), follow=True)
        url = re.search(r"http://testserver(/preview/[^\s<\"]+/)", response.content.decode())
        assert url is not None, "no share link in the message"
        self.client.logout()
        return url.group(1)

    def test_share_link_shows_only_that_article_without_login(self) -> None:
        article = self.draft(headline="Secret scoop")
        other = self.draft(headline="Other secret")
        url = self.share(article)
        response = self.client.get(url)
        self.assertContains(response, "Secret scoop")
        self.assertNotContains(response, "Other secret")
        self.assertContains(response, '<meta name="robots" content="noindex, nofollow">')
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertIn("private", response["Cache-Control"])
        self.assertEqual(self.client.get(other.get_absolute_url()).status_code, 404)

    def test_tampered_link_is_404(self) -> None:
        url = self.share(self.draft())
        token = url.split("/")[2]
        forged = token.replace(token[0], "x" if token[0] != "x" else "y", 1)
        self.assertEqual(self.client.get(f"/preview/{forged}/").status_code, 404)
        self.assertEqual(self.client.get("/preview/not-a-token/").status_code, 404)

    def test_link_expires_after_48_hours(self) -> None:
        url = self.share(self.draft())
        later = timezone.now() + datetime.timedelta(hours=48, minutes=1)
        with mock.patch("time.time", return_value=later.timestamp()):
            response = self.client.get(url)
        self.assertContains(response, "This preview link has expired", status_code=410)

    @override_settings(PREVIEW_LINK_MAX_AGE=3600)
    def test_expiry_is_a_setting(self) -> None:
        url = self.share(self.draft())
        later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
        with mock.patch("time.time", return_value=later.timestamp()):
            self.assertEqual(self.client.get(url).status_code, 410)

    def test_writers_cannot_create_share_links(self) -> None:
        article = self.draft()
        self.client.force_login(self.writer)
        self.assertEqual(self.client.post(admin_url("share", article.pk)).status_code, 403)


class BulkActionTests(WorkflowTestCase):
    def test_bulk_publish_reports_what_it_did(self) -> None:
        good = self.draft(headline="Ready story")
        bad = self.draft(headline="Authorless story")
        bad.bylines.all().delete()
        self.client.force_login(self.editor)
        response = self.client.post(
            admin_url("changelist"),
            {"action": "publish_selected", "_selected_action": [good.pk, bad.pk]},
            follow=True,
        )
        self.assertContains(response, "1 published: Ready story")
        self.assertContains(
            response, "Not published: “Authorless story”: Cannot publish: No author"
        )
        self.assertEqual(self.status_of(good), Status.PUBLISHED)
        self.assertEqual(self.status_of(bad), Status.DRAFT)

    def test_writers_are_not_offered_publish_actions(self) -> None:
        article = self.draft()
        self.client.force_login(self.writer)
        page = self.client.get(admin_url("changelist"))
        self.assertContains(page, "submit_selected")
        self.assertNotContains(page, "publish_selected")
        self.client.post(
            admin_url("changelist"),
            {"action": "publish_selected", "_selected_action": [article.pk]},
        )
        self.assertEqual(self.status_of(article), Status.DRAFT)


class AdminComfortTests(WorkflowTestCase):
    def test_tag_autocomplete(self) -> None:
        ArticleFactory().tags.add("Salesforce Ohana")
        self.client.force_login(self.writer)
        response = self.client.get(reverse("admin:articles_tag_autocomplete"), {"q": "sales"})
        self.assertEqual(response.json()["results"], ["Salesforce", "Salesforce Ohana"])
        self.client.logout()
        self.assertEqual(
            self.client.get(reverse("admin:articles_tag_autocomplete")).status_code, 302
        )

    def test_list_shows_state_length_and_filters(self) -> None:
        self.draft(headline="A draft", body="word " * 460)
        self.client.force_login(self.editor)
        page = self.client.get(admin_url("changelist"), {"state": "draft"})
        self.assertContains(page, "A draft")
        self.assertContains(page, "460 words, 2 min read")
        self.assertNotContains(page, "Salesforce staffers")
        live = self.client.get(admin_url("changelist"), {"state": "live"})
        self.assertContains(live, "Salesforce staffers")


class CorrectionsPageTests(WorkflowTestCase):
    def test_corrections_page_and_feed_list_live_articles_newest_first(self) -> None:
        live = self.draft(headline="Live story")
        services.publish(article=live, user=self.editor)
        hidden = self.draft(headline="Unpublished story")
        now = timezone.now()
        Correction.objects.create(
            article=live, text="Older fix.", published_at=now - datetime.timedelta(days=1)
        )
        Correction.objects.create(article=live, text="Newer fix.", kind=Correction.Kind.UPDATE)
        Correction.objects.create(article=hidden, text="Secret fix.")
        page = self.client.get("/corrections/")
        text = page_text(page)
        self.assertLess(text.index("Newer fix."), text.index("Older fix."))
        self.assertNotIn("Secret fix.", text)
        self.assertContains(page, f'href="{live.get_absolute_url()}#corrections"')
        feed = ElementTree.fromstring(self.client.get("/corrections/feed/").content)
        titles = [item.findtext("title") for item in feed.iter("item")]
        self.assertEqual(titles, ["Update: Live story", "Correction: Live story"])
        self.assertNotIn(b"Secret fix.", self.client.get("/corrections/feed/").content)


class BodyPreviewTests(WorkflowTestCase):
    def test_body_preview_renders_sanitised_markdown_for_staff_only(self) -> None:
        url = reverse("admin:articles_live_preview")
        body = "## Heading\n\nSome **bold** words.<script>alert(1)</script>"
        self.client.force_login(self.writer)
        html_out = self.client.post(url, {"body": body}).json()["document"]
        self.assertIn(">Heading</h2>", html_out)
        self.assertIn("<strong>bold</strong>", html_out)
        self.assertNotIn("alert(1)", html_out)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.client.logout()
        self.assertEqual(self.client.post(url, {"body": body}).status_code, 302)
