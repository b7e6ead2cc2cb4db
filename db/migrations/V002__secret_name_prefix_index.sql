-- List name filters are LIKE patterns bound as parameters. A prepared
-- statement's generic plan cannot derive an index range from a parameter,
-- so the list query also bounds the name by the pattern's literal prefix,
-- compared in the "C" collation (code point order), and this index serves
-- that range in any database collation.
DROP INDEX IF EXISTS secrets_project_name;
CREATE INDEX secrets_project_name_c ON secrets (project_id, (name COLLATE "C")) WHERE NOT deleted;
