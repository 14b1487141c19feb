"""Sync sources (arXiv API topics, feeds, remote digests) and the runner that stores them."""
