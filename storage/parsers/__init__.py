"""Parsers of text: what sources bring (digests, TeX in names, text hygiene, code links in
text), the query language and tag names (settings and the cache both check with them)."""
