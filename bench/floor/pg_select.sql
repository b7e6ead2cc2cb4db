-- One pgbench transaction: a single-row SELECT by primary key, the database
-- work of a GET.
\set id random(1, 10000)
SELECT project_id, name, ciphertext, created_at FROM floor_secrets WHERE id = :id;
