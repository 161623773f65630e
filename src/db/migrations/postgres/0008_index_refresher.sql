-- Who refreshes a realm's index, until when (milliseconds since 1970 by the database's clock): where replicas share
-- the database, one refreshes a realm at a time; a claim whose process died lapses.
ALTER TABLE ix_realms ADD COLUMN refresher TEXT;
ALTER TABLE ix_realms ADD COLUMN refresh_until BIGINT;
