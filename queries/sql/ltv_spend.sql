-- ltv_spend - the spend of the lifetime-value cohorts' months (docs/LTV.md,
-- "Payback and LTV/CAC") per raw channel label and cohort month (cohort,
-- days since 1970-01-01 of the first day of the local month its date falls
-- in; SpendCohortOf), over [from_day, to_day) - the first cohort's first day
-- to the day after as_of's local date - grouped in SQL - one row per channel
-- and month, never per day or campaign. The filters are spend.sql's - the
-- source's own date column against bound parameters of its type a day wider
-- on each side, then the exact range on the normalised day.
SELECT s.channel, {{.SpendCohortOf}} AS cohort,
       SUM(s.amount) AS amount,
       COUNT(*) AS spend_rows,
       SUM(CASE WHEN s.amount < 0 THEN 1 ELSE 0 END) AS negative_rows,
       MIN(CASE WHEN s.amount < 0 THEN s.day END) AS first_negative
FROM {{.SpendKeyed}} AS s
WHERE s.date_f >= :from_raw AND s.date_f < :to_raw
  AND s.day >= :from_day AND s.day < :to_day
  AND s.amount IS NOT NULL
GROUP BY s.channel, {{.SpendCohortOf}}
