-- Search ranks headline-and-dek matches first (db::published::search). Finding them through
-- their own small index means a common word costs its headline matches, not every article
-- whose body mentions it; the body index is read only when a page runs past them.
CREATE INDEX published_articles_search_head_idx ON published_articles
    USING gin ((search_head || array_to_tsvector(ARRAY['!' || search_config])));
