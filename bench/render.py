#!/usr/bin/env python3
"""Worst-case render times of article bodies; prints figures, asserts nothing.

Each adversarial body shape (the pathological inputs known for Markdown parsers and
HTML sanitisers: deep nesting, unclosed links and emphasis, long link chains, deep raw
HTML) is rendered by newsroom.markdown.render_markdown, Markdown and sanitising
included, at each size. Every render runs in a process of its own, stopped by its id
after --timeout seconds, so a parser that stalls or recurses is reported, not waited
for. Sizes are in thousands of characters (the body's length as a form counts it).

    .venv/bin/python bench/render.py                        # 10, 40, 80, 400 KB
    .venv/bin/python bench/render.py --sizes 10,100 --shapes list,link --timeout 30
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def repeat(unit: str, tail: str = "") -> Callable[[int], str]:
    """`unit` repeated up to `size` characters, then `tail`."""
    return lambda size: unit * ((size - len(tail)) // len(unit)) + tail


def nested(opening: str, middle: str, closing: str) -> Callable[[int], str]:
    """`opening` n times, `middle`, `closing` n times: about `size` characters."""
    return lambda size: (
        opening * (n := (size - len(middle)) // (len(opening) + len(closing)))
        + middle
        + closing * n
    )


def indented_lists(size: int) -> str:
    lines, used, depth = [], 0, 0
    while used < size:
        lines.append("  " * depth + "* a")
        used += len(lines[-1]) + 1
        depth += 1
    return "\n".join(lines)


def mixed_attributes(size: int) -> str:
    tags, used, number = [], 0, 0
    while used < size:
        tags.append(f"<b title={number}>")
        used += len(tags[-1])
        number += 1
    return "".join(tags)


SHAPES: dict[str, Callable[[int], str]] = {
    "list": repeat("* ", "x"),  # a list in a list in a list...
    "list-indented": indented_lists,
    "ordered": repeat("1. ", "x"),
    "quote": repeat(">", "x"),  # block quotes inside block quotes
    "quote-spaced": repeat("> ", "x"),
    "link-open": repeat("[a]("),  # unclosed link destinations
    "image-open": repeat("![a]("),
    "link-angle": repeat("[a](<b"),
    "link-chain": repeat("[a](b)"),  # long chains of closed links
    "brackets-nested": nested("[", "a", "]"),
    "brackets-open": repeat("[a"),
    "brackets-close": repeat("a]"),
    "emphasis-nested": nested("*a **a ", "b", " a** a*"),
    "emphasis-open": repeat("_a "),
    "emphasis-close": repeat("a_ "),
    "emphasis-mixed": repeat("*a_ "),
    "emphasis-threes": repeat("c* ", ""),
    "stars": nested("*", "a", "*"),
    "backticks": repeat("`a``"),
    "entities": repeat("&#"),
    "ampersands": repeat("&"),  # each escaped to &amp;, which nh3 reads back
    "autolinks": repeat("<http://"),
    "html-comments": repeat("<!--"),
    "reference-definitions": repeat("[a]: <b\n"),
    "table-rows": lambda size: "|a|b|\n|-|-|\n" + repeat("|x|y|\n")(size - 12),
    "table-columns": lambda size: "|" + "a|" * (size // 4) + "\n|" + "-|" * (size // 4) + "\n",
    "html-div": repeat("<div>"),  # raw HTML nested deep
    "html-list": repeat("<ul><li>"),
    "html-formatting": mixed_attributes,
    "prose": repeat("A *plain* paragraph with a [link](https://example.com/a) and **bold**.\n\n"),
}


def render_once(shape: str, size: int) -> float:
    """Seconds to render the shape at this size (run in a child process)."""
    sys.path.insert(0, str(ROOT))
    from articles.rendering import render_markdown  # needs no settings

    body = SHAPES[shape](size)
    start = time.perf_counter()
    render_markdown(body)
    return time.perf_counter() - start


def measure(shape: str, size: int, timeout: float) -> str:
    """The render time as a figure, or what happened instead."""
    command = [sys.executable, __file__, "--one", shape, str(size)]
    try:
        result = subprocess.run(  # noqa: S603 - this script, fixed arguments
            command, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False
        )
    except subprocess.TimeoutExpired:
        return f"> {timeout:g} s"
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["exit " + str(result.returncode)])[-1]
        return last.split(":")[0][:30]
    return f"{json.loads(result.stdout):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,40,80,400", help="thousands of characters")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated shapes")
    parser.add_argument("--timeout", type=float, default=60, help="seconds for one render")
    parser.add_argument("--one", nargs=2, metavar=("SHAPE", "SIZE"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        print(json.dumps(render_once(options.one[0], int(options.one[1]))))
        return
    sizes = [int(size) for size in options.sizes.split(",")]
    print("| shape | " + " | ".join(f"{size} KB" for size in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for shape in options.shapes.split(","):
        figures = [measure(shape, size * 1000, options.timeout) for size in sizes]
        print(f"| {shape} | " + " | ".join(figures) + " |", flush=True)


if __name__ == "__main__":
    main()
