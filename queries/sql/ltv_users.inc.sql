-- ltv_users (included by ltv_cohorts and ltv_customers) - the users of the
-- lifetime-value cohorts (docs/LTV.md) and their purchases.
-- origen_lu - the first registrations of first_registrations' range (the
-- cohort months up to as_of), users who had bought (amount > 0) before
-- registering left out as in every cohort (METRICS.md, "Cohort" rule 3),
-- with the local day of the first of their cohort month (CohortOf).
-- origen_lp - their purchases and refunds from registering up to as_of,
-- with the month since registering (1 for days 0 to 29) and the local day.
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
)
