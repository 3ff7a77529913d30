-- ltv_customers - the customers' model inputs (docs/LTV.md, "Definitions")
-- of the users of ltv_users, grouped. A customer's days are the local days
-- with purchases of amount > 0 (a day's amount is their sum); the first is
-- its birth, x counts the others, tx and t are the days from the birth to
-- the last of them and to as_of's local day (as_of_day), rep the repeat
-- days' total. Each row carries its part -
--   1  per raw channel, x, tx and t (k1..k3) - customers (v1) and the sum
--      of their first days' amounts (v2);
--   2  per raw channel, x and rep (k1, k2) of the repeat customers (x > 0)
--      - customers (v1);
--   3  with customers = 1, one row per customer (user_id, campaign, x, tx,
--      t, rep, the first purchase instant in v1, purchases of amount > 0
--      in v2, revenue with refunds in v3), last.
WITH
-- include first_registrations
-- include ltv_users
, origen_cd AS (
  SELECT uid, pday, SUM(amount) AS amt, MIN(pur_us) AS first_us, COUNT(*) AS n,
         ROW_NUMBER() OVER (PARTITION BY uid ORDER BY pday) AS rn
  FROM origen_lp
  WHERE amount > 0
  GROUP BY uid, pday
),
origen_cs AS (
  SELECT u.uid, u.channel, u.campaign,
         COUNT(*) - 1 AS x,
         MAX(d.pday) - MIN(d.pday) AS tx,
         CAST(:as_of_day AS bigint) - MIN(d.pday) AS t,
         SUM(CASE WHEN d.rn > 1 THEN d.amt ELSE 0 END) AS rep,
         SUM(CASE WHEN d.rn = 1 THEN d.amt ELSE 0 END) AS first_amt,
         MIN(d.first_us) AS first_us,
         SUM(d.n) AS n
  FROM origen_cd d
  JOIN origen_lu u ON u.uid = d.uid
  GROUP BY u.uid, u.channel, u.campaign
),
origen_cr AS (
  SELECT uid, SUM(amount) AS revenue
  FROM origen_lp
  WHERE :customers = 1
  GROUP BY uid
)
SELECT 1 AS part, channel, CAST(NULL AS TEXT) AS campaign, x AS k1, tx AS k2, t AS k3, 0 AS k4,
       COUNT(*) AS v1, SUM(first_amt) AS v2, 0 AS v3, CAST(NULL AS TEXT) AS user_id
FROM origen_cs
GROUP BY channel, x, tx, t
UNION ALL
SELECT 2, channel, CAST(NULL AS TEXT), x, rep, 0, 0, COUNT(*), 0, 0, CAST(NULL AS TEXT)
FROM origen_cs
WHERE x > 0
GROUP BY channel, x, rep
UNION ALL
SELECT 3, s.channel, s.campaign, s.x, s.tx, s.t, s.rep, s.first_us, s.n, r.revenue, CAST(s.uid AS {{.TextType}})
FROM origen_cs s
JOIN origen_cr r ON r.uid = s.uid
WHERE :customers = 1
ORDER BY 1
