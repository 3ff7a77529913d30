-- facts - the one pass of a report - the per-user facts of
-- first_registrations over every registration range the report shows,
-- aggregated at once (docs/PERFORMANCE.md, "One pass"). Each row carries
-- its part -
--   1, 2  cohort of the period (1) and of the comparison period (2) by raw
--         channel, existing customer (k1), conversion day or -1 (k2) and
--         immature (k3) - registrations (v1), later duplicates (v2), window
--         revenue (v3)
--         (METRICS.md, "Cohort", "Conversion", "Money");
--   3     the period's cohorts by raw channel and local registration date
--         (k1, days since 1970-01-01) - registrations, window customers,
--         first purchases within 7, 14, 30 and 60 days, window revenue,
--         immature (v1..v8) (METRICS-COHORTS.md, "Cohorts");
--   4, 5, 20+i  the drill-down - the period's cohort as in part 1 by raw
--         channel and campaign (4), source and medium (5, medium in
--         user_id) or the value of declared dimension i (20+i, i < 1 +
--         dimensions), in the campaign column (docs/METRICS.md,
--         "Drill-down");
--   99    with prospects = 1, every open registration at as_of, one row per
--         user (user_id, reg_us in v1), last - the prospect list, scored
--         with the curves read before it (METRICS-COHORTS.md, "Prospects");
--   10+i  Kaplan–Meier inputs of curve specification i by raw channel,
--         campaign and day (k1) - converted (v1), censored (v2), open (v3),
--         open with a first purchase up to the outcome end (v4)
--         (METRICS-COHORTS.md, "Conversion curves");
--   30    the budget lookback [b_start, b_end) as budget_weeks.sql reads
--         it, by raw channel, local ISO week (k1, the Monday as days since
--         1970-01-01) and open day (k2, the age in whole days at as_of of
--         an open registration, else -1) - registrations, window
--         customers, window revenue (v1..v3) (docs/BUDGET.md, "Data").
-- Existing customers are left out of parts 3, 10+i and 30. Times are integer
-- microseconds and amounts integer 1/10000 units.
-- Parts 1, 2, 4, 5 and 20+i are rolled up from origen_cohort, the facts of
-- the period and the comparison period aggregated once by every label they
-- split by, and parts 3 and 30 from origen_days, the facts of the period
-- and the budget lookback aggregated once by raw channel, local date and
-- open day - each part then reads a few thousand rows, not the facts.
-- A curve specification with an empty population (the unused ones of
-- the four) joins no facts - PostgreSQL drops it when it plans the statement.
WITH
-- include first_registrations
, origen_spec AS (
  SELECT CAST(:s1_part AS bigint) AS part, CAST(:s1_as_of AS bigint) AS as_of, CAST(:s1_pop_start AS bigint) AS pop_start,
         CAST(:s1_pop_end AS bigint) AS pop_end, CAST(:s1_open_start AS bigint) AS open_start,
         CAST(:s1_open_end AS bigint) AS open_end, CAST(:s1_outcome_end AS bigint) AS outcome_end
  UNION ALL
  SELECT CAST(:s2_part AS bigint), CAST(:s2_as_of AS bigint), CAST(:s2_pop_start AS bigint), CAST(:s2_pop_end AS bigint),
         CAST(:s2_open_start AS bigint), CAST(:s2_open_end AS bigint), CAST(:s2_outcome_end AS bigint)
  UNION ALL
  SELECT CAST(:s3_part AS bigint), CAST(:s3_as_of AS bigint), CAST(:s3_pop_start AS bigint), CAST(:s3_pop_end AS bigint),
         CAST(:s3_open_start AS bigint), CAST(:s3_open_end AS bigint), CAST(:s3_outcome_end AS bigint)
  UNION ALL
  SELECT CAST(:s4_part AS bigint), CAST(:s4_as_of AS bigint), CAST(:s4_pop_start AS bigint), CAST(:s4_pop_end AS bigint),
         CAST(:s4_open_start AS bigint), CAST(:s4_open_end AS bigint), CAST(:s4_outcome_end AS bigint)
),
origen_drill (part) AS (
  SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 21 UNION ALL SELECT 22 UNION ALL SELECT 23 UNION ALL SELECT 24
),
origen_cohort AS {{.Materialized}}(
  SELECT CASE WHEN reg_us >= :p_start AND reg_us < :p_end THEN 1 ELSE 2 END AS part,
         channel, campaign, source, medium, dim1, dim2, dim3, dim4,
         existing AS k1,
         CASE WHEN first_at < reg_us + :window_us THEN (first_at - reg_us) / 86400000000 ELSE -1 END AS k2,
         CASE WHEN reg_us + :window_us > :as_of THEN 1 ELSE 0 END AS k3,
         COUNT(*) AS n, SUM(duplicates) AS duplicates, SUM(revenue) AS revenue
  FROM origen_facts
  WHERE (reg_us >= :p_start AND reg_us < :p_end) OR (reg_us >= :q_start AND reg_us < :q_end)
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
),
origen_days AS {{.Materialized}}(
  SELECT channel, {{.LocalDay}} AS local_day,
         CASE WHEN reg_us >= :p_start AND reg_us < :p_end THEN 1 ELSE 0 END AS in_p,
         CASE WHEN reg_us >= :b_start AND reg_us < :b_end THEN 1 ELSE 0 END AS in_b,
         CASE WHEN first_at IS NULL AND reg_us + :window_us > :as_of
              THEN (:as_of - reg_us) / 86400000000 ELSE -1 END AS open_day,
         COUNT(*) AS n,
         SUM(CASE WHEN first_at < reg_us + :window_us THEN 1 ELSE 0 END) AS customers,
         SUM(CASE WHEN first_at < reg_us + :by1_us THEN 1 ELSE 0 END) AS by1,
         SUM(CASE WHEN first_at < reg_us + :by2_us THEN 1 ELSE 0 END) AS by2,
         SUM(CASE WHEN first_at < reg_us + :by3_us THEN 1 ELSE 0 END) AS by3,
         SUM(CASE WHEN first_at < reg_us + :by4_us THEN 1 ELSE 0 END) AS by4,
         SUM(revenue) AS revenue,
         SUM(CASE WHEN reg_us + :window_us > :as_of THEN 1 ELSE 0 END) AS immature
  FROM origen_facts
  WHERE existing < 1
    AND ((reg_us >= :p_start AND reg_us < :p_end) OR (reg_us >= :b_start AND reg_us < :b_end))
  GROUP BY 1, 2, 3, 4, 5
),
origen_followed AS (
  SELECT s.part, s.open_start, s.open_end, f.channel, f.campaign, f.reg_us,
         CASE WHEN f.first_at <= s.as_of AND f.first_at < f.reg_us + :window_us
              THEN (f.first_at - f.reg_us) / 86400000000 END AS conv_day,
         CASE WHEN f.first_at > s.as_of AND f.first_at <= s.outcome_end AND f.first_at < f.reg_us + :window_us
              THEN 1 ELSE 0 END AS buys_next,
         CASE WHEN s.as_of - f.reg_us >= :window_us THEN :window_days
              ELSE (s.as_of - f.reg_us) / 86400000000 END AS followed_days
  FROM origen_facts f
  JOIN origen_spec s
    ON s.pop_end > s.pop_start AND f.reg_us >= s.pop_start AND f.reg_us < s.pop_end AND f.reg_us <= s.as_of
  WHERE f.existing < 1
),
origen_curve AS (
  SELECT part, channel, campaign,
         CASE WHEN conv_day < followed_days THEN conv_day ELSE followed_days END AS day,
         CASE WHEN conv_day < followed_days THEN 1 ELSE 0 END AS converted,
         CASE WHEN conv_day IS NULL AND followed_days < :window_days
                   AND reg_us >= open_start AND reg_us < open_end THEN 1 ELSE 0 END AS open,
         CASE WHEN conv_day IS NULL AND followed_days < :window_days
                   AND reg_us >= open_start AND reg_us < open_end AND buys_next = 1 THEN 1 ELSE 0 END AS open_next
  FROM origen_followed
)
SELECT part, channel, CAST(NULL AS TEXT) AS campaign, k1, k2, k3,
       SUM(n) AS v1, SUM(duplicates) AS v2, SUM(revenue) AS v3,
       0 AS v4, 0 AS v5, 0 AS v6, 0 AS v7, 0 AS v8, CAST(NULL AS TEXT) AS user_id
FROM origen_cohort
GROUP BY part, channel, k1, k2, k3
UNION ALL
SELECT d.part, c.channel,
       CASE d.part WHEN 4 THEN c.campaign WHEN 5 THEN c.source WHEN 21 THEN c.dim1
                   WHEN 22 THEN c.dim2 WHEN 23 THEN c.dim3 ELSE c.dim4 END,
       c.k1, c.k2, c.k3,
       SUM(c.n), SUM(c.duplicates), SUM(c.revenue), 0, 0, 0, 0, 0,
       CASE WHEN d.part = 5 THEN c.medium END
FROM origen_cohort c
JOIN origen_drill d ON d.part < 21 + :dimensions
WHERE c.part = 1
GROUP BY 1, 2, 3, 4, 5, 6, 15
UNION ALL
SELECT 3, channel, CAST(NULL AS TEXT), local_day, 0, 0,
       SUM(n), SUM(customers), SUM(by1), SUM(by2), SUM(by3), SUM(by4), SUM(revenue), SUM(immature),
       CAST(NULL AS TEXT)
FROM origen_days
WHERE in_p = 1
GROUP BY 2, 4
UNION ALL
SELECT 10 + part, channel, campaign, day, 0, 0,
       SUM(converted), COUNT(*) - SUM(converted), SUM(open), SUM(open_next), 0, 0, 0, 0, CAST(NULL AS TEXT)
FROM origen_curve
GROUP BY part, channel, campaign, day
UNION ALL
SELECT 30, channel, CAST(NULL AS TEXT), local_day - ((local_day + 3) % 7 + 7) % 7, open_day, 0,
       SUM(n), SUM(customers), SUM(revenue), 0, 0, 0, 0, 0, CAST(NULL AS TEXT)
FROM origen_days
WHERE in_b = 1
GROUP BY 2, 4, 5
UNION ALL
SELECT 99, channel, campaign, 0, 0, 0, reg_us, 0, 0, 0, 0, 0, 0, 0, {{.UserIDText}}
FROM origen_facts
WHERE :prospects = 1 AND existing < 1 AND first_at IS NULL AND reg_us + :window_us > :as_of
ORDER BY 1
