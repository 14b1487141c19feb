"""Ask the paper: questions answered from its own stored text, with citations checked.

- ``passages``: a paper's blocks as labelled passages (``[S3.SS1.p4]``: LaTeXML's id)
- ``retrieve``: the passages that bear on a question, within a token budget (FTS5, bm25)
- ``prompt``: the instructions and the passages, within ``[assistant] context_tokens``
- ``citations``: each ``[id] "quote"`` of an answer looked up in its block
- ``providers``: OpenAI-compatible ``/v1/chat/completions`` (SSE) and Ollama ``/api/chat``
  (NDJSON), streamed and cancellable; every failure one sentence naming the URL
- ``service``: ``ask`` and ``summarize`` as the CLI and the screens call them (answers
  and summaries kept in the cache, :mod:`paperdeck.storage.cache.assistant`)
"""
