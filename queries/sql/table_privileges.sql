-- table_privileges - what the connected role may change in one mapped table
-- besides reading it (PostgreSQL only; `origen check` warns about each).
-- $1 is the table's quoted name as the mapping reads it.
SELECT has_table_privilege($1, 'INSERT'),
       has_table_privilege($1, 'UPDATE'),
       has_table_privilege($1, 'DELETE'),
       has_table_privilege($1, 'TRUNCATE')
