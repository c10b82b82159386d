"""Reads from replicas for anonymous readers, the primary for everyone else."""

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, SimpleTestCase

from articles.models import Article
from newsroom.routers import PrimaryReplicaRouter, ReplicaReadsMiddleware

REPLICAS = ["replica_0", "replica_1"]
router = PrimaryReplicaRouter()


def read_alias_during(request: HttpRequest) -> str:
    """The database an Article query would read from while the request is served."""
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(router.db_for_read(Article))
        return HttpResponse()

    middleware = ReplicaReadsMiddleware(view)
    # The test settings have no replicas; the middleware is given two.
    middleware.replicas = REPLICAS
    middleware(request)
    return seen[0]


def request(method: str = "get", user: object = None) -> HttpRequest:
    made = getattr(RequestFactory(), method)("/")
    made.user = user or AnonymousUser()
    return made


class RouterTests(SimpleTestCase):
    def test_anonymous_reader_reads_from_a_replica(self) -> None:
        self.assertIn(read_alias_during(request()), REPLICAS)
        self.assertIn(read_alias_during(request("head")), REPLICAS)

    def test_logged_in_editor_reads_from_the_primary(self) -> None:
        """Read-your-writes: an editor never sees a replica that lags their own save."""
        editor = User(username="editor", is_staff=True)
        self.assertEqual(read_alias_during(request(user=editor)), "default")

    def test_form_posts_read_from_the_primary(self) -> None:
        self.assertEqual(read_alias_during(request("post")), "default")

    def test_outside_a_request_everything_uses_the_primary(self) -> None:
        """Commands and the job runner read what they just wrote."""
        read_alias_during(request())
        self.assertEqual(router.db_for_read(Article), "default")

    def test_writes_and_migrations_go_to_the_primary_only(self) -> None:
        self.assertEqual(router.db_for_write(Article), "default")
        self.assertIs(router.allow_migrate("default", "articles"), True)
        self.assertIs(router.allow_migrate("replica_0", "articles"), False)

    def test_without_replicas_readers_use_the_primary(self) -> None:
        middleware = ReplicaReadsMiddleware(lambda r: HttpResponse(router.db_for_read(Article)))
        self.assertEqual(middleware(request()).content, b"default")
