-- spend - spend of the period's dates per raw channel label (METRICS.md,
-- "Money"). day is the date as days since 1970-01-01.
WITH origen_spend AS (
{{.Spend}}
)
SELECT channel,
       SUM(amount) AS amount,
       COUNT(*) AS spend_rows,
       SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END) AS negative_rows,
       MIN(CASE WHEN amount < 0 THEN day END) AS first_negative_day
FROM origen_spend
WHERE day IS NOT NULL AND amount IS NOT NULL
  AND day >= :from_day AND day < :to_day
GROUP BY channel
