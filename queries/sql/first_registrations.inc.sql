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
-- value reaches the scans. DISTINCT folds rows that are identical in every
-- column Origen reads.
-- origen_first - a candidate counts when no registration of the same user
-- comes before it (earlier = 0; tested as earlier < 1, so that the
-- planner, which cannot know the share, estimates a third rather than a
-- handful and aggregates by hashing) (the join an index on (user_id, registered_at) serves;
-- no window over the whole history). "Before" is the earlier
-- registered_at; at an equal registered_at, a labelled channel before an
-- empty or NULL one, then channel, then campaign, in byte order
-- (docs/METRICS.md, "Ties"). duplicates counts the user's other
-- registrations up to as_of.
-- origen_facts - the user's purchases up to as_of joined on the source's
-- own user_id - bought before registering (existing), the first purchase
-- of amount > 0 at or after registering within follow_us, and the window
-- revenue.
{{.KeyedCTEs}}origen_cand AS {{.Materialized}}(
  SELECT DISTINCT r.uid, r.registered_at_f, r.channel, r.campaign
  FROM {{.RegistrationsKeyed}} AS r
  WHERE r.uid IS NOT NULL
    AND r.registered_at_f >= :range_start_raw AND r.registered_at_f <= :range_last_raw
),
origen_first AS {{.Materialized}}(
  SELECT c.uid, {{.CRegUs}} AS reg_us, c.channel, c.campaign, COUNT(*) - 1 AS duplicates,
         SUM(CASE WHEN o.registered_at_f < c.registered_at_f THEN 1
                  WHEN o.registered_at_f > c.registered_at_f THEN 0
                  WHEN o.channel_key < {{.CChannelKey}} THEN 1
                  WHEN o.channel_key > {{.CChannelKey}} THEN 0
                  WHEN o.campaign_key < {{.CCampaignKey}} THEN 1
                  ELSE 0 END) AS earlier
  FROM origen_cand c
  JOIN {{.RegistrationsKeyed}} AS o
    ON o.uid = c.uid
   AND o.registered_at_f <= :reg_as_of_raw
  GROUP BY c.uid, c.registered_at_f, c.channel, c.campaign
),
origen_facts AS {{.Materialized}}(
  SELECT f.uid, f.reg_us, f.channel, f.campaign, f.duplicates,
         MAX(CASE WHEN p.amount > 0 AND p.pur_us < f.reg_us THEN 1 ELSE 0 END) AS existing,
         MIN(CASE WHEN p.amount > 0 AND p.pur_us >= f.reg_us THEN p.pur_us END) AS first_at,
         SUM(CASE WHEN p.pur_us >= f.reg_us AND p.pur_us < f.reg_us + :window_us THEN p.amount ELSE 0 END) AS revenue
  FROM origen_first f
  LEFT JOIN {{.PurchasesKeyed}} AS p
    ON p.uid = f.uid
   AND p.purchased_at_f <= :pur_as_of_raw
   AND p.amount IS NOT NULL
   AND p.pur_us < f.reg_us + :follow_us
  WHERE f.earlier < 1
  GROUP BY f.uid, f.reg_us, f.channel, f.campaign, f.duplicates
)
