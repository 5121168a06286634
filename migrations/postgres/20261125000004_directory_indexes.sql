-- Directory speed (PostgreSQL). Paired with ../sqlite/…_directory_indexes.sql.
-- The sort index exists since the profiles migration; refresh the planner's
-- statistics for the tables the directory joins.
ANALYZE;
