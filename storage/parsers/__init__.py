"""Parsers of what sources bring: digests, TeX in names, text hygiene, code links in text."""
