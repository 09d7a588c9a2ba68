-- The article page lists the published language versions; reading them from revision JSON
-- scanned every revision (seconds at 100,000 articles). The projection carries the link.
ALTER TABLE published_articles ADD COLUMN translation_of uuid;
UPDATE published_articles p
SET translation_of = (r.snapshot->>'translation_of')::uuid
FROM article_revisions r
WHERE r.id = p.revision_id AND r.snapshot->>'translation_of' IS NOT NULL;
CREATE INDEX published_articles_translation_idx ON published_articles (translation_of)
    WHERE translation_of IS NOT NULL;
