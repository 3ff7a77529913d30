-- spend_quality - source-wide counts of the spend mapping, over the stored values
-- (qualitySQL), one statement per report.
WITH origen_spend AS (
{{.SpendQ}}
)
SELECT COUNT(*) AS total_rows,
       COALESCE(SUM(CASE WHEN day IS NULL AND day_present = 1 THEN 1 ELSE 0 END), 0) AS bad_day,
       COALESCE(SUM(CASE WHEN day_present = 0 THEN 1 ELSE 0 END), 0) AS no_day,
       COALESCE(SUM(CASE WHEN amount IS NULL THEN 1 ELSE 0 END), 0) AS no_amount
FROM origen_spend
