"""``paperdeck ask`` and ``paperdeck summarize``: a question answered from the paper's
stored text with its citations checked, and a short summary (made once per paper and
model). What the model says is printed as text, its control characters stripped."""

from __future__ import annotations

import argparse
import json
import sys

from paperdeck.storage.assistant.citations import Citation
from paperdeck.storage.assistant.providers import AssistantError
from paperdeck.storage.assistant.service import ABSTRACT, Answer, ask, source, summarize
from paperdeck.tui.cli.common import CommandError, open_cache, paper_id, settings


def add_commands(commands) -> None:
    """Add ``ask`` and ``summarize`` to the CLI's subcommands."""
    p = commands.add_parser("ask", help="answer a question from a paper, its quotes checked")
    p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
    p.add_argument("question", metavar="QUESTION", help="the question, in quotes")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=cmd_ask)
    p = commands.add_parser("summarize", help="a short summary of a paper (kept once made)")
    p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
    p.set_defaults(run=cmd_summarize)


def cmd_ask(args: argparse.Namespace) -> int:
    assistant = settings().assistant
    with open_cache(args) as cache:
        found = paper_id(cache, args.paper)
        try:
            if source(cache, found).kind == ABSTRACT:
                print(
                    f"paperdeck: no full text of {found} is stored; answering from its abstract "
                    f"(paperdeck prefetch {found} stores it)",
                    file=sys.stderr,
                )
            streamed = _Streamed() if args.format == "text" else None
            answer = ask(cache, found, args.question, assistant, on_text=streamed)
        except AssistantError as exc:
            raise CommandError(str(exc)) from None
    if args.format == "json":
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        streamed.finish(answer)
    return 0


class _Streamed:
    """The answer printed as it comes (what grows at its end; a reasoning block that
    closes later is left out), then the checked citations."""

    def __init__(self) -> None:
        self.printed = ""

    def __call__(self, text: str) -> None:
        if text.startswith(self.printed):
            sys.stdout.write(text[len(self.printed) :])
            sys.stdout.flush()
            self.printed = text

    def finish(self, answer: Answer) -> None:
        if answer.text.startswith(self.printed.rstrip()):
            sys.stdout.write(answer.text[len(self.printed.rstrip()) :] + "\n")
        else:
            sys.stdout.write("\n\n" + answer.text + "\n")
        if answer.citations:
            print("\nCitations:")
            for citation in answer.citations:
                print("  " + describe(citation))


def describe(citation: Citation) -> str:
    """``✓ [S3.SS1.p4] "quote"``, or ``✗`` and why the quote is not the paper's."""
    line = f'[{citation.block}] "{" ".join(citation.quote.split())}"'
    if citation.found:
        return f"✓ {line}"
    if citation.elsewhere:
        return f"✗ {line} — not in {citation.block} (it is in {citation.elsewhere})"
    return f"✗ {line} — not in the paper"


def cmd_summarize(args: argparse.Namespace) -> int:
    assistant = settings().assistant
    with open_cache(args) as cache:
        found = paper_id(cache, args.paper)
        try:
            text, _ = summarize(cache, found, assistant)
        except AssistantError as exc:
            raise CommandError(str(exc)) from None
    print(text)
    return 0
