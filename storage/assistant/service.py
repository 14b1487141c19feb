"""Asking a paper and summarising it, as ``paperdeck ask`` / ``summarize`` and the
screens do: the paper's passages (its stored full text, else its abstract), the prompt,
the model's streamed answer, its citations checked, and what came kept in the cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from paperdeck.storage.assistant.citations import Citation, check
from paperdeck.storage.assistant.passages import Passage, from_abstract, from_document
from paperdeck.storage.assistant.prompt import Prompt, ask_prompt, summary_prompt
from paperdeck.storage.assistant.providers import AssistantError, Chat
from paperdeck.storage.assistant.retrieve import tokens
from paperdeck.storage.cache import assistant as kept
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import AssistantSettings
from paperdeck.storage.fulltext.store import Keep, at_once, stored_document
from paperdeck.storage.parsers.text import clean_generated, clean_line, without_reasoning

QUESTION_SHARE = 4
"""A question may take at most a quarter of ``context_tokens``."""
FULLTEXT = "fulltext"
ABSTRACT = "abstract"


@dataclass(frozen=True, slots=True)
class Source:
    """What the assistant reads of a paper."""

    paper_id: str
    title: str
    passages: list[Passage]
    kind: str
    """``fulltext`` (the stored document) or ``abstract`` (no full text stored)."""


@dataclass(slots=True)
class Answer:
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    prompt: Prompt | None = None
    source: str = FULLTEXT
    cancelled: bool = False

    def to_json(self) -> dict:
        return {"answer": self.text, "citations": [c.to_json() for c in self.citations]}


def source(cache: Cache, paper_id: str, keep: Keep | None = None) -> Source:
    """The paper's stored full text as passages, else its abstract (a document converted
    again by a newer converter is stored by ``keep``)."""
    document = stored_document(cache, paper_id, keep)
    paper = cache.paper(paper_id)
    if document is not None:
        title = paper.title if paper is not None else document.title
        return Source(paper_id, title, from_document(document), FULLTEXT)
    if paper is None:
        raise AssistantError(f"{paper_id} is not in the cache (paperdeck import or sync brings it)")
    passages = from_abstract(paper)
    if not passages:
        raise AssistantError(f"{paper_id} has neither a stored full text nor an abstract to read")
    return Source(paper_id, paper.title, passages, ABSTRACT)


def prepare_question(
    cache: Cache,
    paper_id: str,
    question: str,
    settings: AssistantSettings,
    keep: Keep | None = None,
) -> tuple[Source, Prompt]:
    """The passages and the prompt for ``question`` (no request yet)."""
    question = clean_line(question)
    if not question:
        raise AssistantError("the question is empty")
    most = settings.context_tokens // QUESTION_SHARE
    if tokens(question) > most:
        raise AssistantError(
            f"the question is too long: keep it under {most:,} tokens, so that the paper's "
            "passages fit in [assistant] context_tokens"
        )
    paper = source(cache, paper_id, keep)
    prompt = ask_prompt(paper.title, paper_id, paper.passages, question, settings.context_tokens)
    return paper, prompt


def ask(
    cache: Cache,
    paper_id: str,
    question: str,
    settings: AssistantSettings,
    *,
    on_text: Callable[[str], None] | None = None,
    chat: Chat | None = None,
    keep: Keep | None = None,
) -> Answer:
    """The model's answer to ``question`` from the paper, its citations checked and the
    exchange kept with the paper (by ``keep``); ``on_text`` gets the answer so far (controls
    stripped) as it streams. A cancelled ``chat`` gives the text so far, not kept."""
    paper, prompt = prepare_question(cache, paper_id, question, settings, keep)
    chat = chat or Chat(settings)
    received: list[str] = []

    def streamed(piece: str) -> None:
        received.append(piece)
        if on_text is not None:
            on_text(without_reasoning("".join(received)))

    text = without_reasoning(chat.complete(prompt.messages, streamed))
    answer = Answer(clean_line(question), text, [], prompt, paper.kind, chat.cancelled)
    if answer.cancelled:
        return answer
    answer.citations = check(text, paper.passages)
    cited = [c.to_json() for c in answer.citations]
    (keep or at_once(cache))(
        lambda into: kept.save_answer(into, paper_id, settings.model, answer.question, text, cited)
    )
    return answer


def summarize(
    cache: Cache,
    paper_id: str,
    settings: AssistantSettings,
    *,
    chat: Chat | None = None,
    keep: Keep | None = None,
) -> tuple[str, bool]:
    """(the paper's summary, whether it came from the cache): made by the model from the
    stored full text (else the abstract) once per paper and model, then kept (by ``keep``)."""
    known = kept.summary(cache, paper_id, settings.model)
    if known is not None:
        return known, True
    paper = source(cache, paper_id, keep)
    prompt = summary_prompt(paper.title, paper_id, paper.passages, settings.context_tokens)
    chat = chat or Chat(settings)
    text = clean_generated(chat.complete(prompt.messages))
    if chat.cancelled:
        return text, False
    if not text:
        raise AssistantError(f"the assistant at {chat.url} sent an empty summary")
    (keep or at_once(cache))(
        lambda into: kept.save_summary(into, paper_id, settings.model, text, paper.kind)
    )
    return text, False
