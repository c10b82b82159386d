"""Questions a lower app asks and only a higher one can answer.

The apps depend one way (docs/architecture.md): the admin of images cannot import the
articles app to learn whether a published article shows an image, nor the article
admin's preview import the reader app's article page. Each such question is a Hook
here; the app that knows the answer gives it when it starts (its AppConfig.ready), and
a hook asked before anyone answered says so instead of guessing."""

from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    def __init__(self, question: str) -> None:
        self.question = question
        self._answer: Callable[P, R] | None = None

    def answer_with(self, answer: Callable[P, R]) -> None:
        self._answer = answer

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._answer is None:
            raise RuntimeError(f"Nobody answers {self.question!r}: is its app installed?")
        return self._answer(*args, **kwargs)
