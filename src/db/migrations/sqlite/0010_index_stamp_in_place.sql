-- On PostgreSQL, 0010 lets a refresh mark the rows it saw without writing their index entries again (see
-- postgres/0010). SQLite updates a row in place whatever its indexes: nothing to do at this version.
SELECT 1;
