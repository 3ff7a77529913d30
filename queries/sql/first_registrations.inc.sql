-- first_registrations (included by facts, prospects, detail and
-- prospect_events) - the per-user facts of METRICS.md, "Cohort" and
-- "Conversion", for the registrations in [range_start, range_end) up to
-- as_of, computed once and aggregated by the including statement.
--
-- On SQLite the sources are first materialized as origen_rk and origen_pk
-- (KeyedCTEs), so that SQLite indexes them automatically for the joins.
-- origen_cand - candidate registrations of the range. The filters compare
-- the source's own registered_at column with bound parameters of its type
-- (registered_at_f; on SQLite the normalised microseconds), exact bounds
-- for that type, so an index on registered_at serves the range and the
-- planner's statistics of the column estimate it - no filter on a computed
-- value reaches the scans. Rows identical in every column Origen reads are
-- one candidate; duplicates counts the user's other registrations in the
-- range - all of them, since the range of a pass ends at as_of (a window
-- over the range's candidates, not the history; a statement that reads no
-- duplicates sets Duplicates to 0 and saves the sum). source, medium
-- and the declared dimensions dim1..dim4 of a candidate are the least of
-- its rows (byte order), so that they never split it.
-- tie_rank - the candidate's place among the user's candidates in the
-- order of the rule below (equal places share a rank).
-- origen_first - a candidate counts when no registration of the same user
-- comes before it. "Before" is the earlier registered_at; at an equal
-- registered_at, a labelled channel before an empty or NULL one, then
-- channel, then campaign, in byte order (docs/METRICS.md, "Ties"). Every
-- registration of the user from range_start up to the candidate is itself
-- a candidate, so the candidates of rank 1 are those with none of the range
-- before them, and the rest of the history is one anti-join - no
-- registration of the user before range_start - that an index on (user_id,
-- registered_at) serves per user, no window over the whole history and no
-- comparison of labels outside the range. Equal-rank candidates share
-- registered_at.
-- origen_fp - the user's purchases up to as_of joined on the source's own
-- user_id, from the user's earliest registered_at of the range - that of
-- its first candidates, when it has any - bought before registering
-- (existing), the first purchase of amount > 0 at or after registering
-- within follow_us, and the window revenue. It reads the range's
-- registrations on its own (user and time only), so that origen_first is
-- read once and need not be stored; only users with purchases reach its
-- aggregate.
-- origen_facts - the first candidates with their purchase facts (none -
-- not existing, no first purchase, revenue 0).
{{.KeyedCTEs}}origen_cand AS {{.Materialized}}(
  SELECT r.uid, r.registered_at_f, r.channel, r.campaign,
         {{.Duplicates}} AS duplicates,
         RANK() OVER {{.UserOrder}} AS tie_rank,
         MIN(r.source) AS source, MIN(r.medium) AS medium,
         MIN(r.dim1) AS dim1, MIN(r.dim2) AS dim2, MIN(r.dim3) AS dim3, MIN(r.dim4) AS dim4
  FROM {{.RegistrationsKeyed}} AS r
  WHERE r.uid IS NOT NULL
    AND r.registered_at_f >= :range_start_raw AND r.registered_at_f <= :range_last_raw
  GROUP BY r.uid, r.registered_at_f, r.channel_key, r.campaign_key, r.channel, r.campaign
),
origen_first AS {{.Materialized}}(
  SELECT c.uid, c.registered_at_f, {{.CRegUs}} AS reg_us, c.channel, c.campaign, c.duplicates,
         c.source, c.medium, c.dim1, c.dim2, c.dim3, c.dim4
  FROM origen_cand c
  WHERE c.tie_rank < 2
    AND NOT EXISTS (
    SELECT 1 FROM {{.RegistrationsKeyed}} AS o
    WHERE o.uid = c.uid AND o.registered_at_f < :range_start_raw)
),
origen_fp AS {{.Materialized}}(
  SELECT f.uid,
         MAX(CASE WHEN p.amount > 0 AND p.pur_us < f.reg_us THEN 1 ELSE 0 END) AS existing,
         MIN(CASE WHEN p.amount > 0 AND p.pur_us >= f.reg_us THEN p.pur_us END) AS first_at,
         SUM(CASE WHEN p.pur_us >= f.reg_us AND p.pur_us < f.reg_us + :window_us THEN p.amount ELSE 0 END) AS revenue
  FROM (SELECT c.uid, {{.CRegUs}} AS reg_us
        FROM (SELECT r.uid, MIN(r.registered_at_f) AS registered_at_f
              FROM {{.RegistrationsKeyed}} AS r
              WHERE r.uid IS NOT NULL
                AND r.registered_at_f >= :range_start_raw AND r.registered_at_f <= :range_last_raw
              GROUP BY r.uid) AS c) AS f
  JOIN {{.PurchasesKeyed}} AS p
    ON p.uid = f.uid
   AND p.purchased_at_f <= :pur_as_of_raw
   AND p.amount IS NOT NULL
   AND p.pur_us < f.reg_us + :follow_us
  GROUP BY f.uid
),
origen_facts AS {{.Materialized}}(
  SELECT f.uid, f.registered_at_f, f.reg_us, f.channel, f.campaign, f.duplicates,
         f.source, f.medium, f.dim1, f.dim2, f.dim3, f.dim4,
         COALESCE(p.existing, 0) AS existing, p.first_at, COALESCE(p.revenue, 0) AS revenue
  FROM origen_first f
  LEFT JOIN origen_fp p ON p.uid = f.uid
)
