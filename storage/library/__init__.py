"""Library-level operations over the cache: importing files, exporting papers."""
