-- One pgbench transaction: a single-row SELECT by primary key, then one
-- INSERT that commits on its own (autocommit), as a secret POST does.
\set id random(1, 10000)
SELECT project_id, name, ciphertext, created_at FROM floor_secrets WHERE id = :id;
INSERT INTO floor_inserts (id, project_id, name, ciphertext, created_at)
    VALUES (gen_random_uuid(), 'bench-project', 'bench-post', decode(md5(random()::text), 'hex'), now());
