-- Indexes for the search endpoints (src/search, docs/search.md), measured with `npm run bench:search`.
--
-- Every search is scoped to one account and mode, so without these PostgreSQL reads all of the account's rows of the
-- resource through the list index and filters them: fine for small accounts, linear in the account's size.
-- Migrations run in a transaction, so these are not built CONCURRENTLY: on a large existing database the build
-- blocks writes to the three tables while it runs. An operator may create them beforehand with CREATE INDEX
-- CONCURRENTLY under these names; this file then skips them.

-- email:"..." matches ignoring case (lower(email) = lower($1)); the existing customers_email index is on email as
-- stored, which that comparison cannot use.
CREATE INDEX IF NOT EXISTS customers_search_email ON customers (account_id, livemode, lower(email)) WHERE NOT deleted;

-- metadata["key"]:"value" compiles to containment (metadata @> {"key": "value"}), which a jsonb_path_ops GIN index
-- answers; PostgreSQL combines it with the account's list index (BitmapAnd) when both narrow the rows.
CREATE INDEX IF NOT EXISTS customers_search_metadata ON customers USING gin (metadata jsonb_path_ops);
CREATE INDEX IF NOT EXISTS payment_intents_search_metadata ON payment_intents USING gin (metadata jsonb_path_ops);
CREATE INDEX IF NOT EXISTS charges_search_metadata ON charges USING gin (metadata jsonb_path_ops);
