-- spend_daily - spend per raw channel label and date of the period
-- (METRICS-COHORTS.md, "Cohorts"), for the cohorts' and the trend's CAC. day
-- is the date as days since 1970-01-01. Negative amounts are refused by the
-- spend query, which runs first.
WITH origen_spend AS (
{{.Spend}}
)
SELECT channel, day, SUM(amount) AS amount
FROM origen_spend
WHERE day IS NOT NULL AND amount IS NOT NULL
  AND day >= :from_day AND day < :to_day
GROUP BY channel, day
