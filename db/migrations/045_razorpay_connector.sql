-- The Razorpay connector (src/connectors/razorpay): connector configurations may name it.
-- Other connectors are added to the same CHECK by other migrations; rather than restating the whole list (which would
-- drop a name another migration added), this one adds 'razorpay' to whatever list the constraint holds now.
DO $$
DECLARE
  names text[];
BEGIN
  SELECT array_agg(name ORDER BY name) INTO names FROM (
    SELECT DISTINCT (regexp_matches(pg_get_constraintdef(oid), '''([a-z_]+)''', 'g'))[1] AS name
      FROM pg_constraint WHERE conname = 'connector_configurations_connector_check'
  ) existing;
  IF names IS NULL THEN
    RAISE EXCEPTION 'connector_configurations_connector_check not found';
  END IF;
  IF NOT 'razorpay' = ANY (names) THEN
    names := array_append(names, 'razorpay');
  END IF;
  ALTER TABLE connector_configurations DROP CONSTRAINT connector_configurations_connector_check;
  EXECUTE format('ALTER TABLE connector_configurations ADD CONSTRAINT connector_configurations_connector_check CHECK (connector IN (%s))',
    (SELECT string_agg(quote_literal(n), ', ') FROM unnest(names) AS n));
END $$;
