-- mysql_privileges - what the connected MySQL user may change besides
-- reading, for origen check's warnings (MySQL and MariaDB only). With a
-- table (its database and name bound), the write privileges that reach it
-- - global, on its database (a grant's database may be a LIKE pattern) or
-- on the table itself; without (NULLs, a sql = source), the global ones
-- and those on any database. information_schema does not list to the
-- user the privileges of its roles - mysqlRoleGrants reads them from SHOW
-- GRANTS.
WITH origen_me AS (
  SELECT CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''',
                SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''') AS grantee,
         CAST(? AS CHAR) AS db, CAST(? AS CHAR) AS tbl
),
origen_grants AS (
  SELECT 'global' AS scope, p.PRIVILEGE_TYPE AS privilege
  FROM information_schema.USER_PRIVILEGES AS p JOIN origen_me AS m ON p.GRANTEE = m.grantee
  UNION
  SELECT s.TABLE_SCHEMA, s.PRIVILEGE_TYPE
  FROM information_schema.SCHEMA_PRIVILEGES AS s JOIN origen_me AS m ON s.GRANTEE = m.grantee
  WHERE m.db IS NULL OR m.db LIKE s.TABLE_SCHEMA
  UNION
  SELECT 'table', t.PRIVILEGE_TYPE
  FROM information_schema.TABLE_PRIVILEGES AS t JOIN origen_me AS m ON t.GRANTEE = m.grantee
  WHERE t.TABLE_SCHEMA = m.db AND t.TABLE_NAME = m.tbl
)
SELECT (SELECT CURRENT_USER()) AS who, scope, privilege
FROM origen_grants
WHERE privilege IN ('INSERT', 'UPDATE', 'DELETE', 'DROP', 'ALTER')
ORDER BY scope, privilege
