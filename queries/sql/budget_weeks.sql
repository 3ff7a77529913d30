-- budget_weeks - the weekly outcome of the budget plan (docs/BUDGET.md,
-- "Data") - the per-user facts of first_registrations for the
-- registrations in [range_start, range_end), the lookback's local ISO
-- weeks, aggregated per raw channel, week (the Monday as days since
-- 1970-01-01) and open day. open_day is, for a registration still inside
-- the window at as_of without a first purchase, its age in whole days at
-- as_of (the Kaplan-Meier projection adds its probability of converting
-- later); -1 for every other registration. Existing customers are left
-- out, as in the cohort. Values are registrations, window customers and
-- window revenue (integer 1/10000 units).
WITH
-- include first_registrations
SELECT channel,
       {{.LocalWeek}} AS week_day,
       CASE WHEN first_at IS NULL AND reg_us + :window_us > :as_of
            THEN (:as_of - reg_us) / 86400000000 ELSE -1 END AS open_day,
       COUNT(*) AS registrations,
       SUM(CASE WHEN first_at < reg_us + :window_us THEN 1 ELSE 0 END) AS customers,
       SUM(revenue) AS revenue
FROM origen_facts
WHERE reg_us >= :range_start AND reg_us < :range_end AND existing < 1
GROUP BY 1, 2, 3
