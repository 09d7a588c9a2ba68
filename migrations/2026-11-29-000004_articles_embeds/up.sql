-- Sections, articles with a structured body and ordered bylines, editorial embeds.

CREATE TABLE sections (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    description text,
    position integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER sections_updated_at BEFORE UPDATE ON sections
    FOR EACH ROW EXECUTE FUNCTION newsroom_set_updated_at();

CREATE TABLE articles (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'in_review', 'scheduled', 'published', 'unpublished', 'archived')),
    headline text NOT NULL,
    dek text,
    kicker text,
    section_id uuid REFERENCES sections (id) ON DELETE RESTRICT,
    -- Normalised to slugs by the application.
    tags text[] NOT NULL DEFAULT '{}',
    language text NOT NULL DEFAULT 'en',
    -- Ordered typed blocks, validated and sanitised by the application.
    body jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(body) = 'array'),
    featured_image_id uuid REFERENCES images (id) ON DELETE RESTRICT,
    featured_caption text,
    featured_credit text,
    seo_title text,
    seo_description text,
    canonical_url text,
    translation_of uuid REFERENCES articles (id) ON DELETE SET NULL,
    word_count integer NOT NULL DEFAULT 0,
    reading_time_minutes integer NOT NULL DEFAULT 0,
    -- Optimistic concurrency: every write increments it; `If-Match` must name the current one.
    version integer NOT NULL DEFAULT 1,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX articles_updated_idx ON articles (updated_at DESC, id DESC);
CREATE INDEX articles_status_idx ON articles (status, updated_at DESC, id DESC);
CREATE INDEX articles_section_idx ON articles (section_id);
CREATE INDEX articles_tags_idx ON articles USING gin (tags);
CREATE INDEX articles_created_by_idx ON articles (created_by);
CREATE INDEX articles_featured_image_idx ON articles (featured_image_id);
CREATE INDEX articles_translation_of_idx ON articles (translation_of);
-- Finds the articles whose body uses an image or an embed (`body @> '[{...}]'`).
CREATE INDEX articles_body_idx ON articles USING gin (body jsonb_path_ops);
CREATE TRIGGER articles_updated_at BEFORE UPDATE ON articles
    FOR EACH ROW EXECUTE FUNCTION newsroom_set_updated_at();

CREATE TABLE article_authors (
    article_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- RESTRICT backs up the application's 409: an author on a byline cannot vanish.
    author_id uuid NOT NULL REFERENCES authors (id) ON DELETE RESTRICT,
    position integer NOT NULL,
    role text,
    PRIMARY KEY (article_id, author_id),
    UNIQUE (article_id, position)
);
CREATE INDEX article_authors_author_idx ON article_authors (author_id);

CREATE TABLE embeds (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL CHECK (kind IN ('article', 'external', 'html')),
    label text,
    -- kind = article: the teaser's target and optional overrides.
    article_id uuid REFERENCES articles (id) ON DELETE RESTRICT,
    headline text,
    excerpt text,
    image_id uuid REFERENCES images (id) ON DELETE RESTRICT,
    -- kind = external: what the server recognised; markup is rebuilt from these.
    provider text,
    url text,
    media_id text,
    -- kind = html: sanitised on the way in.
    html text,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (
        (kind = 'article' AND article_id IS NOT NULL AND provider IS NULL AND html IS NULL)
        OR (kind = 'external' AND provider IS NOT NULL AND url IS NOT NULL AND media_id IS NOT NULL
            AND article_id IS NULL AND html IS NULL)
        OR (kind = 'html' AND html IS NOT NULL AND article_id IS NULL AND provider IS NULL)
    )
);
CREATE INDEX embeds_article_idx ON embeds (article_id);
CREATE INDEX embeds_image_idx ON embeds (image_id);
CREATE INDEX embeds_created_idx ON embeds (created_at DESC, id DESC);
CREATE TRIGGER embeds_updated_at BEFORE UPDATE ON embeds
    FOR EACH ROW EXECUTE FUNCTION newsroom_set_updated_at();
