-- The image library and author profiles.

CREATE TABLE images (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- SHA-256 of the uploaded bytes, hex: also the key of the stored file, shared by uploads
    -- of the same bytes.
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    mime_type text NOT NULL,
    width integer NOT NULL CHECK (width > 0),
    height integer NOT NULL CHECK (height > 0),
    byte_size bigint NOT NULL CHECK (byte_size > 0),
    alt_text text,
    caption text,
    credit text,
    photographer text,
    source text,
    license text,
    illustrative boolean NOT NULL DEFAULT false,
    focal_x double precision CHECK (focal_x BETWEEN 0 AND 1),
    focal_y double precision CHECK (focal_y BETWEEN 0 AND 1),
    uploaded_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((focal_x IS NULL) = (focal_y IS NULL))
);
CREATE INDEX images_sha256_idx ON images (sha256);
CREATE INDEX images_created_idx ON images (created_at DESC, id DESC);
CREATE INDEX images_uploaded_by_idx ON images (uploaded_by, created_at DESC, id DESC);
CREATE TRIGGER images_updated_at BEFORE UPDATE ON images
    FOR EACH ROW EXECUTE FUNCTION newsroom_set_updated_at();

CREATE TABLE authors (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    job_title text,
    bio text,
    location text,
    -- RESTRICT backs up the application's 409: an avatar in use cannot vanish.
    avatar_image_id uuid REFERENCES images (id) ON DELETE RESTRICT,
    email text,
    -- [{"label": "Web site", "url": "https://…"}]
    links jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(links) = 'array'),
    user_id uuid UNIQUE REFERENCES users (id) ON DELETE SET NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX authors_name_idx ON authors (lower(name), id);
CREATE INDEX authors_avatar_idx ON authors (avatar_image_id);
CREATE TRIGGER authors_updated_at BEFORE UPDATE ON authors
    FOR EACH ROW EXECUTE FUNCTION newsroom_set_updated_at();
