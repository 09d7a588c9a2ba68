DROP TABLE IF EXISTS article_corrections;
DROP TABLE IF EXISTS article_slugs;
ALTER TABLE articles DROP CONSTRAINT IF EXISTS articles_published_revision_fk;
DROP TABLE IF EXISTS article_revisions;
DROP FUNCTION IF EXISTS article_revisions_immutable();
DROP INDEX IF EXISTS articles_published_idx;
DROP INDEX IF EXISTS articles_due_idx;
ALTER TABLE articles
    DROP COLUMN IF EXISTS publish_failed_at,
    DROP COLUMN IF EXISTS publish_error,
    DROP COLUMN IF EXISTS review_note,
    DROP COLUMN IF EXISTS published_revision_id,
    DROP COLUMN IF EXISTS published_version,
    DROP COLUMN IF EXISTS published_at,
    DROP COLUMN IF EXISTS first_published_at,
    DROP COLUMN IF EXISTS embargo_until,
    DROP COLUMN IF EXISTS publish_at;
