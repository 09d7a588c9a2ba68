DROP FUNCTION IF EXISTS newsroom_set_updated_at();
