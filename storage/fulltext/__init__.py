"""Full text: a paper's HTML rendering (arXiv's, else ar5iv's), fetched politely, converted
to a document model, stored in the cache and rendered as Markdown or plain text.

- ``fetch``: the page, from ``[fulltext] html_url`` then ``ar5iv_url`` (no rendering →
  :class:`~paperdeck.storage.fulltext.fetch.NoRendering`, with the PDF link)
- ``convert``: HTML → :class:`~paperdeck.storage.fulltext.model.Document` (BeautifulSoup,
  a markdownify converter subclass, a pre-pass for math, citations and notes)
- ``math``: TeX → readable Unicode; ``render``: Markdown and plain text
- ``store``: from the cache or fetched and stored; ``lookup``: a paper by its arXiv id
"""
