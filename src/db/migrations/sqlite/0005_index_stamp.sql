-- A stamp per realm that every write to its index records moves, where replicas share the database (see
-- `db::index`): a replica keeps what it read of a realm only while the stamp is the one it saw.
ALTER TABLE ix_realms ADD COLUMN changes INTEGER;
