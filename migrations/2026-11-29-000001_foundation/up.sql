-- Shared building blocks for every later table.

-- Keeps `updated_at` honest whatever code path writes the row.
CREATE FUNCTION newsroom_set_updated_at() RETURNS trigger AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
