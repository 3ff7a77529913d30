-- ltv - the lifetime-value section's one statement (docs/LTV.md) - the
-- cohort revenue curves ("Revenue curves") and the customers' model
-- inputs ("Definitions"), grouped, from one computation of the cohorts'
-- first registrations and their purchases.
-- The first registrations are first_registrations' (METRICS.md, "Cohort"
-- and "Ties"), written here with only the columns the section reads - the
-- include's origen_first carries source, medium, dimensions and their
-- minima, and its unused origen_facts would make PostgreSQL materialize
-- all of it. On SQLite the sources are materialized first (KeyedCTEs).
-- origen_lc - the candidate registrations of the range (the cohort months
-- up to as_of), rows identical in every column read being one.
-- origen_lf - the candidates that no registration of the same user comes
-- before (the include's anti-join and tie rule). Two registrations with
-- the same channel and campaign text (NULL as empty) have the same keys,
-- so the keys are compared only when the texts differ - the same answer,
-- without computing both keys for every pair, which is most of the
-- anti-join's cost at 1M registrations; cohort is the local day of the
-- first of the cohort month (CohortOf).
-- origen_lu - the cohorts' registrations - the first registrations but
-- those of users who had bought (amount > 0) before registering, left out
-- as in every cohort (METRICS.md, "Cohort" rule 3). On PostgreSQL
-- origen_lf is inlined here, so that both anti-joins walk the user_id
-- indexes in one order (merge anti-joins, no hash of every registration).
-- origen_lp - their purchases and refunds from registering up to as_of,
-- with the month since registering (1 for days 0 to 29) and the local day.
-- origen_ld - a customer's days - the local days with purchases of
-- amount > 0 (a day's amount is their sum, first_us its first instant, n
-- its purchases, rn its rank); the first is the customer's birth. A
-- customer is a first registration (user, channel and campaign) - the
-- tie rule can keep two of a user (a NULL and an empty channel at one
-- instant), each a cohort member with all the user's purchases, as in
-- the pass - so the days are ranked, and origen_cs and origen_cr grouped,
-- per registration, not per user.
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
{{.KeyedCTEs}}origen_lc AS {{.Materialized}}(
  SELECT r.uid, r.registered_at_f, r.reg_us, r.channel, r.campaign
  FROM {{.RegistrationsKeyed}} AS r
  WHERE r.uid IS NOT NULL
    AND r.registered_at_f >= :range_start_raw AND r.registered_at_f <= :range_last_raw
  GROUP BY r.uid, r.registered_at_f, r.reg_us, r.channel, r.campaign
),
origen_lf AS {{.Materialized}}(
  SELECT f.uid, f.reg_us, f.channel, f.campaign, {{.CohortOf}} AS cohort
  FROM (
    SELECT c.uid, c.reg_us, c.channel, c.campaign
    FROM origen_lc c
    WHERE NOT EXISTS (
      SELECT 1 FROM {{.RegistrationsKeyed}} AS o
      WHERE o.uid = c.uid
        AND o.registered_at_f <= c.registered_at_f
        AND (o.registered_at_f < c.registered_at_f
             OR ((COALESCE(o.channel, ''){{.ByteOrder}} <> COALESCE(c.channel, ''){{.ByteOrder}}
                  OR COALESCE(o.campaign, ''){{.ByteOrder}} <> COALESCE(c.campaign, ''){{.ByteOrder}})
                 AND (o.channel_key < {{.CChannelKey}}
                      OR (o.channel_key = {{.CChannelKey}} AND o.campaign_key < {{.CCampaignKey}})))))
  ) AS f
),
origen_lu AS {{.Materialized}}(
  SELECT f.uid, f.channel, f.campaign, f.reg_us, f.cohort
  FROM origen_lf f
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
         ROW_NUMBER() OVER (PARTITION BY uid, channel, campaign ORDER BY pday) AS rn
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
  SELECT uid, channel, campaign, SUM(amount) AS revenue
  FROM origen_lp
  WHERE :customers = 1
  GROUP BY uid, channel, campaign
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
JOIN origen_cr r
  ON r.uid = s.uid
 AND (r.channel = s.channel OR (r.channel IS NULL AND s.channel IS NULL))
 AND (r.campaign = s.campaign OR (r.campaign IS NULL AND s.campaign IS NULL))
WHERE :customers = 1
ORDER BY 1
