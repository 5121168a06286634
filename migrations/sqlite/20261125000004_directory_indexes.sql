-- Directory speed (SQLite). Paired with ../postgres/…_directory_indexes.sql.
-- The directory lists members by (sort_name, id); PostgreSQL already has
-- this index (users_sort_idx, with COLLATE "C") since the profiles migration.
CREATE INDEX users_sort_idx ON users (sort_name, id);
-- Give the query planner statistics for the tables the directory joins.
ANALYZE;
