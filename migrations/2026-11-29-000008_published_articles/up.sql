-- What readers can see, one row per published article, kept in step with publishing: the
-- feed, filters and search read this instead of the working copies.
CREATE TABLE published_articles (
    article_id uuid PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    revision_id uuid NOT NULL REFERENCES article_revisions (id) ON DELETE CASCADE,
    slug text NOT NULL UNIQUE,
    headline text NOT NULL,
    dek text,
    kicker text,
    section_id uuid REFERENCES sections (id) ON DELETE SET NULL,
    tags text[] NOT NULL DEFAULT '{}',
    language text NOT NULL,
    author_ids uuid[] NOT NULL DEFAULT '{}',
    featured_image_id uuid REFERENCES images (id) ON DELETE SET NULL,
    first_published_at timestamptz NOT NULL,
    published_at timestamptz NOT NULL,
    word_count integer NOT NULL,
    reading_time_minutes integer NOT NULL,
    -- Headline (A), dek (B) and body text (C) in the article's language where PostgreSQL has a
    -- configuration for it, `simple` otherwise.
    search tsvector NOT NULL
);
-- Keyset pagination of the feed: newest first, the id breaking ties.
CREATE INDEX published_articles_feed_idx ON published_articles (published_at DESC, article_id DESC);
CREATE INDEX published_articles_section_idx ON published_articles (section_id, published_at DESC, article_id DESC);
CREATE INDEX published_articles_tags_idx ON published_articles USING gin (tags);
CREATE INDEX published_articles_authors_idx ON published_articles USING gin (author_ids);
CREATE INDEX published_articles_search_idx ON published_articles USING gin (search);

-- Articles published before this table existed.
INSERT INTO published_articles (
    article_id, revision_id, slug, headline, dek, kicker, section_id, tags, language, author_ids,
    featured_image_id, first_published_at, published_at, word_count, reading_time_minutes, search)
SELECT a.id, r.id, r.snapshot->>'slug', r.snapshot->>'headline', r.snapshot->>'dek',
    r.snapshot->>'kicker', (r.snapshot->>'section_id')::uuid,
    ARRAY(SELECT jsonb_array_elements_text(r.snapshot->'tags')),
    r.snapshot->>'language',
    ARRAY(SELECT (x->>'author_id')::uuid FROM jsonb_array_elements(r.snapshot->'authors') x),
    (r.snapshot->'featured_image'->>'image_id')::uuid,
    a.first_published_at, a.published_at,
    (r.snapshot->>'word_count')::int, (r.snapshot->>'reading_time_minutes')::int,
    setweight(to_tsvector('simple', coalesce(r.snapshot->>'headline', '')), 'A')
        || setweight(to_tsvector('simple', coalesce(r.snapshot->>'dek', '')), 'B')
FROM articles a JOIN article_revisions r ON r.id = a.published_revision_id
WHERE a.status = 'published';
