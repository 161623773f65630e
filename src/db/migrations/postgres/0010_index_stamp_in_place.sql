-- A refresh marks every row it saw with its generation (`stamp`). An update of an indexed column is never a HOT
-- update in PostgreSQL: each row was written again with all its index entries (the trigram GIN index included),
-- which made the refresh of an unchanged realm of 100,000 identities take 40–70 s. Without an index on `stamp`, and
-- with room left on each page for the row's new version (fillfactor), the mark is a HOT update: the row alone. The
-- refresh's last step (rows it did not see) then reads the realm's rows through its realm index, once per refresh.
DROP INDEX ix_identities_stamp;
ALTER TABLE ix_identities SET (fillfactor = 70);
ALTER TABLE ix_groups SET (fillfactor = 70);
