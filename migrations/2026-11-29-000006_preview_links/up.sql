-- Expiring, revocable links that show an article's working copy without a log-in.
CREATE TABLE preview_links (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    article_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- SHA-256 of the secret in the URL: the secret itself is never stored.
    token_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX preview_links_article_idx ON preview_links (article_id, created_at DESC);
