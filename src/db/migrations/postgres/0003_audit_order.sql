-- SQLite's 0003 orders its audit log by a sequence the database gives; on PostgreSQL the table has had one since
-- 0001 (an identity column). Nothing to do at this version.
SELECT 1;
