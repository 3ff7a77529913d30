-- registrations_quality - source-wide counts of the registrations mapping, over the stored values
-- (qualitySQL), one statement per report.
WITH origen_reg AS (
{{.RegistrationsQ}}
)
SELECT COUNT(*) AS total_rows,
       COALESCE(SUM(CASE WHEN user_id IS NULL THEN 1 ELSE 0 END), 0) AS no_user,
       COALESCE(SUM(CASE WHEN registered_at IS NULL AND registered_at_present = 1 THEN 1 ELSE 0 END), 0) AS bad_time,
       COALESCE(SUM(CASE WHEN registered_at_present = 0 THEN 1 ELSE 0 END), 0) AS no_time,
       COALESCE(SUM(CASE WHEN channel IS NULL THEN 1 ELSE 0 END), 0) AS no_channel,
       COALESCE(SUM(CASE WHEN registered_at > :reg_as_of THEN 1 ELSE 0 END), 0) AS after_as_of
FROM origen_reg
