-- Which encryption key the data was written with: its id and a check value (both HMACs of the key, never the key).
-- A process whose key does not match refuses to start instead of writing data another process cannot read.
CREATE TABLE encryption_keys (
  key_id      text PRIMARY KEY,
  check_value bytea NOT NULL,
  created     timestamptz NOT NULL DEFAULT now()
);
