-- Editorial workflow: published revisions, scheduling and embargo, corrections, slug history.

ALTER TABLE articles
    ADD COLUMN publish_at timestamptz,
    ADD COLUMN embargo_until timestamptz,
    ADD COLUMN first_published_at timestamptz,
    ADD COLUMN published_at timestamptz,
    -- The working-copy version that is live; differs from `version` after later edits.
    ADD COLUMN published_version integer,
    ADD COLUMN published_revision_id uuid,
    ADD COLUMN review_note text,
    ADD COLUMN publish_error text,
    ADD COLUMN publish_failed_at timestamptz;
-- The scheduler's queue: only scheduled articles are in this index.
CREATE INDEX articles_due_idx ON articles (publish_at) WHERE status = 'scheduled';
CREATE INDEX articles_published_idx ON articles (published_at DESC, id DESC) WHERE status = 'published';

-- Immutable snapshots: one per publish and per explicit save point.
CREATE TABLE article_revisions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    article_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    number integer NOT NULL CHECK (number > 0),
    kind text NOT NULL CHECK (kind IN ('publish', 'save_point')),
    -- The working copy at that moment: fields, body and byline.
    snapshot jsonb NOT NULL,
    article_version integer NOT NULL,
    note text,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (article_id, number)
);
CREATE FUNCTION article_revisions_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'article revisions are immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER article_revisions_no_update BEFORE UPDATE ON article_revisions
    FOR EACH ROW EXECUTE FUNCTION article_revisions_immutable();

ALTER TABLE articles
    ADD CONSTRAINT articles_published_revision_fk
    FOREIGN KEY (published_revision_id) REFERENCES article_revisions (id) ON DELETE SET NULL;

-- Every slug an article was published under; old ones redirect to the current one.
CREATE TABLE article_slugs (
    slug text PRIMARY KEY,
    article_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_slugs_article_idx ON article_slugs (article_id);

-- Dated notes appended after publication, delivered with the article.
CREATE TABLE article_corrections (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    article_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    note text NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_corrections_article_idx ON article_corrections (article_id, created_at);
