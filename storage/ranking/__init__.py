"""Orders that the cache cannot know by itself: the interest order learned from the
user's own library (:mod:`paperdeck.storage.ranking.interest`)."""
