-- Totals kept by triggers, so a list page's total_size costs one row read at any size.
CREATE TABLE IF NOT EXISTS realm_counts (
    realm_id   TEXT PRIMARY KEY,
    identities INTEGER NOT NULL DEFAULT 0,
    groups     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS group_counts (
    group_seq INTEGER PRIMARY KEY,
    members   INTEGER NOT NULL DEFAULT 0
);
CREATE TRIGGER IF NOT EXISTS count_identity_in AFTER INSERT ON identities BEGIN
    INSERT INTO realm_counts (realm_id, identities) VALUES (NEW.realm_id, 1)
    ON CONFLICT (realm_id) DO UPDATE SET identities = identities + 1;
END;
CREATE TRIGGER IF NOT EXISTS count_identity_out AFTER DELETE ON identities BEGIN
    UPDATE realm_counts SET identities = identities - 1 WHERE realm_id = OLD.realm_id;
END;
CREATE TRIGGER IF NOT EXISTS count_group_in AFTER INSERT ON bi_groups BEGIN
    INSERT INTO realm_counts (realm_id, groups) VALUES (NEW.realm_id, 1)
    ON CONFLICT (realm_id) DO UPDATE SET groups = groups + 1;
END;
CREATE TRIGGER IF NOT EXISTS count_group_out AFTER DELETE ON bi_groups BEGIN
    UPDATE realm_counts SET groups = groups - 1 WHERE realm_id = OLD.realm_id;
    DELETE FROM group_counts WHERE group_seq = OLD.seq;
END;
CREATE TRIGGER IF NOT EXISTS count_member_in AFTER INSERT ON members BEGIN
    INSERT INTO group_counts (group_seq, members) VALUES (NEW.group_seq, 1)
    ON CONFLICT (group_seq) DO UPDATE SET members = members + 1;
END;
CREATE TRIGGER IF NOT EXISTS count_member_out AFTER DELETE ON members BEGIN
    UPDATE group_counts SET members = members - 1 WHERE group_seq = OLD.group_seq;
END;
-- Fill the totals for rows that existed before they were kept.
DELETE FROM realm_counts;
DELETE FROM group_counts;
INSERT INTO realm_counts (realm_id, identities, groups)
    SELECT r.id,
           (SELECT COUNT(*) FROM identities i WHERE i.realm_id = r.id),
           (SELECT COUNT(*) FROM bi_groups g WHERE g.realm_id = r.id)
    FROM realms r;
INSERT INTO group_counts (group_seq, members)
    SELECT group_seq, COUNT(*) FROM members GROUP BY group_seq;
