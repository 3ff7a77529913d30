-- role_privileges - the connected role, whether it is a superuser, and the
-- schemas it owns (directly or through a role it belongs to), for sql =
-- sources, whose tables cannot be checked one by one (PostgreSQL only).
SELECT r.rolname,
       r.rolsuper,
       COALESCE(string_agg(n.nspname, ', ' ORDER BY n.nspname), '')
FROM pg_roles AS r
LEFT JOIN pg_namespace AS n
  ON pg_has_role(r.oid, n.nspowner, 'USAGE')
 AND n.nspname NOT LIKE 'pg\_%'
 AND n.nspname <> 'information_schema'
WHERE r.rolname = current_user
GROUP BY r.rolname, r.rolsuper
