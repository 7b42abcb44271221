-- Stripe's Files API: files an account uploads (its branding icon and logo, dispute evidence, identity documents),
-- and the account's branding icon and logo (Stripe's settings.branding.icon / .logo), which name its files.
--
-- A file's id is minted by Payrail (`file_...`), so it is unique globally; lookups compare the tenant with
-- IS NOT DISTINCT FROM as every lookup by id does (docs/architecture.md). Files are never deleted (Stripe has no
-- delete), so the branding columns can reference them.
CREATE TABLE files (
  seq        bigserial NOT NULL,
  id         text PRIMARY KEY,
  account_id text NOT NULL,
  livemode   boolean NOT NULL,
  purpose    text NOT NULL,
  -- The type found in the file's first bytes (never the client's Content-Type): png, jpg, gif or pdf.
  type       text NOT NULL CHECK (type IN ('png', 'jpg', 'gif', 'pdf')),
  size       integer NOT NULL CHECK (size > 0 AND size <= 16777216),
  filename   text,
  created    bigint NOT NULL
);
CREATE INDEX files_list ON files (account_id, livemode, seq DESC);
CREATE INDEX files_list_purpose ON files (account_id, livemode, purpose, seq DESC);

-- The bytes live apart from the metadata, so lists and lookups (SELECT * FROM files) never read them. Images and PDFs
-- are compressed already: EXTERNAL keeps them out of line without trying to compress them again.
CREATE TABLE file_contents (
  file_id text PRIMARY KEY REFERENCES files (id),
  bytes   bytea NOT NULL
);
ALTER TABLE file_contents ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- The account's icon and logo: a file of the account of purpose business_icon / business_logo (checked by the API).
ALTER TABLE account_settings
  ADD COLUMN branding_icon text REFERENCES files (id),
  ADD COLUMN branding_logo text REFERENCES files (id);
