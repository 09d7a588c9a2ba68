ALTER TABLE published_articles DROP COLUMN search_head;
DROP INDEX published_articles_search_idx;
CREATE INDEX published_articles_search_idx ON published_articles USING gin (search);
