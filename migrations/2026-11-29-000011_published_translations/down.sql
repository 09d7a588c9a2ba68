DROP INDEX IF EXISTS published_articles_translation_idx;
ALTER TABLE published_articles DROP COLUMN IF EXISTS translation_of;
