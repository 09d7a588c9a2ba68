-- GIN indexes collect new entries in a pending list that every search must scan until vacuum
-- merges it. On the readers' table each republish adds a row version to every index here, so
-- under a steady stream of edits the list grew to thousands of entries and an uncached search
-- got twice as slow (benchmark: 114 → 62 requests/s after 9,000 republishes). Entries go
-- straight into the index instead: a publish costs a few milliseconds more, reads stay flat.
ALTER INDEX published_articles_search_idx SET (fastupdate = off);
ALTER INDEX published_articles_search_head_idx SET (fastupdate = off);
ALTER INDEX published_articles_tags_idx SET (fastupdate = off);
ALTER INDEX published_articles_authors_idx SET (fastupdate = off);
