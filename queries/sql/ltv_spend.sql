-- ltv_spend - the spend of the lifetime-value cohorts' months (docs/LTV.md,
-- "Payback and LTV/CAC") per raw channel label and cohort month (cohort,
-- days since 1970-01-01 of the first day of the local month its date falls
-- in; SpendCohortOf), over [from_day, to_day) - the first cohort's first day
-- to the day after as_of's local date - grouped in SQL - one row per channel
-- and month, never per day or campaign. The filters are spend.sql's - the
-- source's own date column against bound parameters of its type a day wider
-- on each side, then the exact range on the normalised day. origen_sd and
-- origen_sm are materialized on SQLite so that the normalised day and its
-- month are computed once per row (inlined, SQLite computes them at every
-- use).
WITH origen_sd AS {{.Materialized}}(
  SELECT s.channel, s.day, s.amount
  FROM {{.SpendKeyed}} AS s
  WHERE s.date_f >= :from_raw AND s.date_f < :to_raw
    AND s.amount IS NOT NULL
),
origen_sm AS {{.Materialized}}(
  SELECT d.channel, d.day, d.amount, {{.SpendCohortOf}} AS cohort
  FROM origen_sd AS d
  WHERE d.day >= :from_day AND d.day < :to_day
)
SELECT channel, cohort,
       SUM(amount) AS amount,
       COUNT(*) AS spend_rows,
       SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END) AS negative_rows,
       MIN(CASE WHEN amount < 0 THEN day END) AS first_negative
FROM origen_sm
GROUP BY channel, cohort
