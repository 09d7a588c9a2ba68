DROP INDEX IF EXISTS published_articles_first_published_idx;
ALTER TABLE published_articles DROP COLUMN IF EXISTS search_config;
ALTER TABLE published_articles DROP COLUMN IF EXISTS body_text;
