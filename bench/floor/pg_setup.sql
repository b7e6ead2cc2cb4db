-- Tables for the PostgreSQL floor, in the database bench_floor of the
-- stack's cluster: floor_secrets has the columns of a secret row that a GET
-- reads, and floor_inserts receives one row per pgbench transaction.
SET client_min_messages = warning;
DROP TABLE IF EXISTS floor_secrets, floor_inserts;
CREATE TABLE floor_secrets (
    id          integer PRIMARY KEY,
    project_id  varchar(255) NOT NULL,
    name        varchar(255),
    ciphertext  bytea,
    created_at  timestamp(6) NOT NULL
);
INSERT INTO floor_secrets
SELECT i, 'bench-project', 'bench-' || lpad(i::text, 5, '0'),
       decode(md5(i::text) || md5((i + 1)::text), 'hex'), now()
FROM generate_series(1, 10000) AS i;
CREATE TABLE floor_inserts (
    id          uuid PRIMARY KEY,
    project_id  varchar(255) NOT NULL,
    name        varchar(255),
    ciphertext  bytea,
    created_at  timestamp(6) NOT NULL
);
VACUUM ANALYZE floor_secrets;
