-- ltv - the lifetime-value section's one statement (docs/LTV.md) - the
-- cohort revenue curves ("Revenue curves") and the customers' model
-- inputs ("Definitions"), grouped, from one computation of the cohorts'
-- first registrations and their purchases.
-- origen_lu - the first registrations of first_registrations' range (the
-- cohort months up to as_of), users who had bought (amount > 0) before
-- registering left out as in every cohort (METRICS.md, "Cohort" rule 3),
-- with the local day of the first of their cohort month (CohortOf).
-- origen_lp - their purchases and refunds from registering up to as_of,
-- with the month since registering (1 for days 0 to 29) and the local day.
-- origen_ld - a customer's days - the local days with purchases of
-- amount > 0 (a day's amount is their sum, first_us its first instant, n
-- its purchases, rn its rank); the first is the customer's birth.
-- origen_cs - per customer, x counts the days after the first, tx and t
-- are the days from the birth to the last of them and to as_of's local day
-- (as_of_day), rep the repeat days' total.
-- Each row carries its part -
--   1   per raw channel and cohort (k1, days since 1970-01-01 of the first
--       of its local month) - registrations (v1) and the latest
--       registration instant in microseconds (v2);
--   2   per raw channel, cohort and month since registering (k2, 1 to
--       max_months) - the sum of all purchases and refunds in it (v1);
--   3   per raw channel, cohort and month - the users whose first day
--       starts in it (v2), and those whose second day does (v3);
--   11  per raw channel, x, tx and t (k1..k3) - customers (v1) and the sum
--       of their first days' amounts (v2);
--   12  per raw channel, x and rep (k1, k2) of the repeat customers (x > 0)
--       - customers (v1);
--   13  with customers = 1, one row per customer (user_id, campaign, x, tx,
--       t, rep, the first purchase instant in v1, purchases of amount > 0
--       in v2, revenue with refunds in v3), last.
WITH
-- include first_registrations
, origen_lu AS {{.Materialized}}(
  SELECT f.uid, f.channel, f.campaign, f.reg_us, {{.CohortOf}} AS cohort
  FROM origen_first f
  WHERE NOT EXISTS (
    SELECT 1 FROM {{.PurchasesKeyed}} AS e
    WHERE e.uid = f.uid AND e.amount > 0 AND e.pur_us < f.reg_us AND e.purchased_at_f <= :pur_as_of_raw)
),
origen_lp AS {{.Materialized}}(
  SELECT u.uid, u.channel, u.campaign, u.cohort, u.reg_us, p.pur_us, p.amount,
         (p.pur_us - u.reg_us) / 86400000000 / 30 + 1 AS mon,
         {{.PurDay}} AS pday
  FROM origen_lu u
  JOIN {{.PurchasesKeyed}} AS p
    ON p.uid = u.uid
   AND p.purchased_at_f <= :pur_as_of_raw
   AND p.amount IS NOT NULL
   AND p.pur_us >= u.reg_us
),
origen_ld AS {{.Materialized}}(
  SELECT uid, channel, campaign, cohort, reg_us, pday,
         SUM(amount) AS amt, MIN(pur_us) AS first_us, COUNT(*) AS n,
         ROW_NUMBER() OVER (PARTITION BY uid ORDER BY pday) AS rn
  FROM origen_lp
  WHERE amount > 0
  GROUP BY uid, channel, campaign, cohort, reg_us, pday
),
origen_cs AS {{.Materialized}}(
  SELECT uid, channel, campaign,
         COUNT(*) - 1 AS x,
         MAX(pday) - MIN(pday) AS tx,
         CAST(:as_of_day AS bigint) - MIN(pday) AS t,
         SUM(CASE WHEN rn > 1 THEN amt ELSE 0 END) AS rep,
         SUM(CASE WHEN rn = 1 THEN amt ELSE 0 END) AS first_amt,
         MIN(first_us) AS first_us,
         SUM(n) AS n
  FROM origen_ld
  GROUP BY uid, channel, campaign
),
origen_cr AS (
  SELECT uid, SUM(amount) AS revenue
  FROM origen_lp
  WHERE :customers = 1
  GROUP BY uid
)
SELECT 1 AS part, channel, CAST(NULL AS TEXT) AS campaign, cohort AS k1, 0 AS k2, 0 AS k3, 0 AS k4,
       COUNT(*) AS v1, MAX(reg_us) AS v2, 0 AS v3, CAST(NULL AS TEXT) AS user_id
FROM origen_lu
GROUP BY channel, cohort
UNION ALL
SELECT 2, channel, CAST(NULL AS TEXT), cohort, mon, 0, 0, SUM(amount), 0, 0, CAST(NULL AS TEXT)
FROM origen_lp
WHERE mon <= CAST(:max_months AS bigint)
GROUP BY channel, cohort, mon
UNION ALL
SELECT 3, channel, CAST(NULL AS TEXT), cohort, (first_us - reg_us) / 86400000000 / 30 + 1, 0, 0, 0,
       SUM(CASE WHEN rn = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN rn = 2 THEN 1 ELSE 0 END), CAST(NULL AS TEXT)
FROM origen_ld
WHERE rn <= 2 AND (first_us - reg_us) / 86400000000 / 30 + 1 <= CAST(:max_months AS bigint)
GROUP BY channel, cohort, (first_us - reg_us) / 86400000000 / 30 + 1
UNION ALL
SELECT 11, channel, CAST(NULL AS TEXT), x, tx, t, 0, COUNT(*), SUM(first_amt), 0, CAST(NULL AS TEXT)
FROM origen_cs
GROUP BY channel, x, tx, t
UNION ALL
SELECT 12, channel, CAST(NULL AS TEXT), x, rep, 0, 0, COUNT(*), 0, 0, CAST(NULL AS TEXT)
FROM origen_cs
WHERE x > 0
GROUP BY channel, x, rep
UNION ALL
SELECT 13, s.channel, s.campaign, s.x, s.tx, s.t, s.rep, s.first_us, s.n, r.revenue, CAST(s.uid AS {{.TextType}})
FROM origen_cs s
JOIN origen_cr r ON r.uid = s.uid
WHERE :customers = 1
ORDER BY 1
