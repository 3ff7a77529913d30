-- ltv_cohorts - the aggregates of the cohort revenue curves (docs/LTV.md,
-- "Revenue curves") of the users of ltv_users. Each row carries its part -
--   1  per raw channel and cohort (k1, days since 1970-01-01 of the first
--      of its local month) - registrations (v1) and the latest
--      registration instant in microseconds (v2);
--   2  per raw channel, cohort and month since registering (k2, 1 to
--      max_months) - the sum of all purchases and refunds in it (v1);
--   3  per raw channel, cohort and month - the users whose first local
--      day with a purchase of amount > 0 starts in it (v2), and those
--      whose second such day does (v3).
WITH
-- include first_registrations
-- include ltv_users
, origen_ld AS (
  SELECT uid, cohort, channel, reg_us, pday, MIN(pur_us) AS first_us
  FROM origen_lp
  WHERE amount > 0
  GROUP BY uid, cohort, channel, reg_us, pday
),
origen_lk AS (
  SELECT channel, cohort, (first_us - reg_us) / 86400000000 / 30 + 1 AS mon,
         ROW_NUMBER() OVER (PARTITION BY uid ORDER BY pday) AS k
  FROM origen_ld
)
SELECT 1 AS part, channel, cohort AS k1, 0 AS k2, COUNT(*) AS v1, MAX(reg_us) AS v2, 0 AS v3
FROM origen_lu
GROUP BY channel, cohort
UNION ALL
SELECT 2, channel, cohort, mon, SUM(amount), 0, 0
FROM origen_lp
WHERE mon <= CAST(:max_months AS bigint)
GROUP BY channel, cohort, mon
UNION ALL
SELECT 3, channel, cohort, mon, 0,
       SUM(CASE WHEN k = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN k = 2 THEN 1 ELSE 0 END)
FROM origen_lk
WHERE k <= 2 AND mon <= CAST(:max_months AS bigint)
GROUP BY channel, cohort, mon
ORDER BY 1
