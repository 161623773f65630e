-- SCIM clients find users by their external id (`filter=externalId eq "…"`): an index on it per realm.
CREATE INDEX IF NOT EXISTS identities_external_id ON identities (realm_id, json_extract(traits, '$.external_id'));
