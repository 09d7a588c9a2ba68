-- Search snippets need the body's visible text, and highlighting needs the configuration the
-- row was indexed with.
ALTER TABLE published_articles
    ADD COLUMN body_text text NOT NULL DEFAULT '',
    ADD COLUMN search_config text NOT NULL DEFAULT 'simple';

-- Rows recorded before these columns existed: the text of paragraph-like blocks (markup and
-- all; the next publish replaces it with the exact text) and `simple`, as their vector used.
UPDATE published_articles p
SET body_text = coalesce((
        SELECT string_agg(t #>> '{}', E'\n')
        FROM article_revisions r,
             jsonb_path_query(r.snapshot, '$.body[*] ? (@.type != "list").text') t
        WHERE r.id = p.revision_id), '');
UPDATE published_articles
SET search = search || setweight(to_tsvector('simple', body_text), 'C')
WHERE body_text <> '';

-- Sitemap pages list articles in the order they first appeared, so that a page's contents
-- only change when an article on it is removed.
CREATE INDEX published_articles_first_published_idx
    ON published_articles (first_published_at, article_id);
