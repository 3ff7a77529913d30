-- first_registrations on ClickHouse (included by facts) - the per-user
-- facts of METRICS.md, "Cohort" and "Conversion", as the PostgreSQL
-- statement computes them, without window functions or anti-joins - one
-- GROUP BY over the user's rows.
-- The rows - the registrations of the range grouped by user,
-- registered_at, channel and campaign (a candidate - rows identical in
-- every column Origen reads are one; source, medium and dim1..dim4 are
-- the least of its rows), one row per user with a registration before the
-- range (kind 2, no text), and the purchases up to as_of with an amount,
-- one row each.
-- Per user - the sorted array of its candidates (by registered_at, then
-- channel key, then campaign key - docs/METRICS.md, "Ties"), its
-- purchases, and its duplicates (its rows in the range less one, as on
-- PostgreSQL - identical rows are one candidate and a duplicate). A user counts when
-- it has a candidate and no registration before the range - then no
-- registration of the user comes before its least candidate.
-- The ARRAY JOIN keeps every candidate tied with the least (equal
-- registered_at and keys), then the purchases give existing (bought
-- before registering), the first purchase of amount > 0 at or after
-- registering within follow_us (has_first, first_at), and the window
-- revenue. FirstExtra adds columns of the user's row for the including
-- statement (ltv reads purs, its purchases).
SELECT uid, tupleElement(c, 1) AS reg_us, tupleElement(c, 4) AS channel, tupleElement(c, 5) AS campaign,
       duplicates, tupleElement(c, 7) AS source, tupleElement(c, 8) AS medium,
       tupleElement(c, 9) AS dim1, tupleElement(c, 10) AS dim2, tupleElement(c, 11) AS dim3, tupleElement(c, 12) AS dim4,
       toInt64(arrayExists(p -> tupleElement(p, 2) > 0 AND tupleElement(p, 1) < reg_us, purs)) AS existing,
       arrayMap(p -> tupleElement(p, 1),
                arrayFilter(p -> tupleElement(p, 2) > 0 AND tupleElement(p, 1) >= reg_us AND tupleElement(p, 1) < reg_us + :follow_us, purs)) AS later,
       notEmpty(later) AS has_first,
       toInt64(arrayReduce('min', later)) AS first_at,
       toInt64(arraySum(p -> if(tupleElement(p, 1) >= reg_us AND tupleElement(p, 1) < reg_us + :window_us, tupleElement(p, 2), 0), purs)) AS revenue,
       arraySum(p -> if(tupleElement(p, 1) >= reg_us AND tupleElement(p, 1) < reg_us + :window_us, abs(toFloat64(tupleElement(p, 2))), 0), purs) AS revenue_abs{{.FirstExtra}}
FROM (
  SELECT uid,
         arraySort(groupArrayIf((reg_us, channel_key, campaign_key, channel, campaign, 1, source, medium, dim1, dim2, dim3, dim4), kind = 0)) AS regs,
         groupArrayIf((pur_us, amount), kind = 1) AS purs,
         sumIf(n_rows, kind = 0) - 1 AS duplicates
  FROM (
    SELECT toUInt8(0) AS kind, r_uid AS uid, r_reg_us AS reg_us, channel, campaign,
           {{.ChannelKey}} AS channel_key, {{.CampaignKey}} AS campaign_key,
           min(source) AS source, min(medium) AS medium,
           min(dim1) AS dim1, min(dim2) AS dim2, min(dim3) AS dim3, min(dim4) AS dim4,
           toInt64(0) AS pur_us, toInt64(0) AS amount, toInt64(count()) AS n_rows
    FROM (
      -- the filters run before any alias - ClickHouse's aliases are global
      SELECT assumeNotNull(r.uid) AS r_uid, assumeNotNull(r.reg_us) AS r_reg_us, r.channel, r.campaign,
             r.source, r.medium, r.dim1, r.dim2, r.dim3, r.dim4
      FROM {{.RegistrationsKeyed}} AS r
      WHERE isNotNull(r.uid) AND isNotNull(r.reg_us) AND r.reg_us >= :range_start_raw AND r.reg_us <= :range_last_raw
    )
    GROUP BY uid, reg_us, channel, campaign
    UNION ALL
    SELECT toUInt8(2), h_uid, toInt64(0), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)), '', '',
           CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)),
           CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)),
           toInt64(0), toInt64(0), toInt64(0)
    FROM (
      SELECT assumeNotNull(h.uid) AS h_uid
      FROM {{.RegistrationsKeyed}} AS h
      WHERE isNotNull(h.uid) AND isNotNull(h.reg_us) AND h.reg_us < :range_start_raw
      GROUP BY h_uid
    )
    UNION ALL
    SELECT toUInt8(1), p_uid, toInt64(0), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)),
           '', '',
           CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)),
           CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)),
           p_pur_us, p_amount, toInt64(0)
    FROM (
      SELECT assumeNotNull(p.uid) AS p_uid, assumeNotNull(p.pur_us) AS p_pur_us, assumeNotNull(p.amount) AS p_amount
      FROM {{.PurchasesKeyed}} AS p
      WHERE isNotNull(p.uid) AND isNotNull(p.pur_us) AND isNotNull(p.amount) AND p.pur_us <= :pur_as_of_raw
    )
  )
  GROUP BY uid
  HAVING notEmpty(regs) AND countIf(kind = 2) = 0
)
ARRAY JOIN arrayFilter(t -> tupleElement(t, 1) = tupleElement(regs[1], 1) AND tupleElement(t, 2) = tupleElement(regs[1], 2)
                            AND tupleElement(t, 3) = tupleElement(regs[1], 3), regs) AS c
