-- PaymentIntents, charges and idempotency keys leave room in each page for the updates that follow every insert.
--
-- A payment inserts its intent and its charge, and a few milliseconds later its outcome updates both. With pages
-- filled to the brim the new row versions go to another page, and every index of the table gets an entry for them
-- (four on each table): on a 150,000-payment database 9% of intent updates and 2% of charge updates were HOT
-- (heap-only, no index entries). With 70% fill a page keeps room for its rows' next versions: the outcome changes no
-- indexed column of either table, so its update stays in the page, and pruning reclaims the old version there. At 70%
-- fill 58-64% of intent updates and 26-36% of charge updates were HOT, and a payment wrote about 3 WAL records and
-- 1-2 KB of WAL fewer (of 61 and 15-18 KB; docs/benchmarks.md); at 60% / 50% fill 75% of both were. The setting
-- applies to pages written from now on.
ALTER TABLE payment_intents SET (fillfactor = 70);
ALTER TABLE charges SET (fillfactor = 70);

-- An idempotency key's row is updated twice after its insert (the recovery point, then the stored response, which is
-- most of the row): at full pages 13-15% of those updates were HOT, at 50% fill 76% (keys live 24 hours).
ALTER TABLE idempotency_keys SET (fillfactor = 50);
