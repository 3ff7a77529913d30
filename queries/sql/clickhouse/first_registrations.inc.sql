-- first_registrations on ClickHouse (included by facts) - the per-user
-- facts of METRICS.md, "Cohort" and "Conversion", as the PostgreSQL
-- statement computes them, without window functions or anti-joins - one
-- GROUP BY user over the user's raw rows.
-- The rows - the registrations of the range as stored (one row each),
-- one row per user with a registration before the range (kind 2, no
-- text), and the purchases up to as_of with an amount, one row each. The
-- first branch reads no row - an aggregate, so that the text columns of
-- the union are not constants (18.16 refuses a union whose first branch
-- has a constant column that a Distributed table's stream sends as a full
-- one, and an unmapped column is a constant).
-- Per user - its registrations of the range as an array (of tuples of
-- registered_at, channel, campaign, source, medium and the declared
-- dimensions - TupleDims, CandDims and OutDims name only those, as the
-- others are NULL), the least
-- registered_at, its purchases, and its duplicates (its rows in the range
-- less one, as on PostgreSQL - identical rows are one candidate and a
-- duplicate). A user counts when it has a row in the range and none
-- before - then no registration of the user comes before its least one.
-- Candidates - a user with one row in the range has it as its candidate
-- (most users - that path reads no array function). A user with more
-- rows keeps those at the least registered_at whose channel key and
-- campaign key (docs/METRICS.md, "Ties") are the least; among them rows
-- identical in channel and campaign are one candidate with the least
-- source, medium and dimensions of its rows (arrayReduce min skips NULL,
-- as MIN does). The keys are equal there, so two of its rows are the same
-- candidate when their channels and campaigns are NULL alike (NULL and
-- the empty label share a key but are two candidates, as on PostgreSQL).
-- The ARRAY JOIN gives one row per candidate, then the purchases give
-- existing (bought before registering), the first purchase of amount > 0
-- at or after registering within follow_us (has_first, first_at), and the
-- window revenue. FirstExtra adds columns of the user's row for the
-- including statement (ltv reads purs, its purchases).
SELECT uid, tupleElement(c, 1) AS reg_us, tupleElement(c, 2) AS channel, tupleElement(c, 3) AS campaign,
       duplicates, tupleElement(c, 4) AS source, tupleElement(c, 5) AS medium,
       {{.OutDims}},
       toInt64(arrayExists(p -> tupleElement(p, 2) > 0 AND tupleElement(p, 1) < reg_us, purs)) AS existing,
       arrayMap(p -> tupleElement(p, 1),
                arrayFilter(p -> tupleElement(p, 2) > 0 AND tupleElement(p, 1) >= reg_us AND tupleElement(p, 1) < reg_us + :follow_us, purs)) AS later,
       notEmpty(later) AS has_first,
       toInt64(arrayReduce('min', later)) AS first_at,
       toInt64(arraySum(p -> if(tupleElement(p, 1) >= reg_us AND tupleElement(p, 1) < reg_us + :window_us, tupleElement(p, 2), 0), purs)) AS revenue,
       arraySum(p -> if(tupleElement(p, 1) >= reg_us AND tupleElement(p, 1) < reg_us + :window_us, abs(toFloat64(tupleElement(p, 2))), 0), purs) AS revenue_abs{{.FirstExtra}}
FROM (
  SELECT uid, purs, duplicates, first_us, regs,
         arrayResize(regs, if(length(regs) > 1, length(regs), 0)) AS many,
         arrayFilter(t -> tupleElement(t, 1) = first_us, many) AS tied,
         arrayMap(t -> ({{.TieChannelKey}}, {{.TieCampaignKey}}), tied) AS keys,
         arraySort(keys)[1] AS least_key,
         arrayFilter((t, k) -> k = least_key, tied, keys) AS least,
         arrayMap(n -> arrayFilter(t -> (isNull(tupleElement(t, 2)), isNull(tupleElement(t, 3))) = n, least),
                  arrayDistinct(arrayMap(t -> (isNull(tupleElement(t, 2)), isNull(tupleElement(t, 3))), least))) AS same,
         if(length(regs) = 1, regs,
            arrayMap(g -> (tupleElement(g[1], 1), tupleElement(g[1], 2), tupleElement(g[1], 3),
                           arrayReduce('min', arrayMap(t -> tupleElement(t, 4), g)),
                           arrayReduce('min', arrayMap(t -> tupleElement(t, 5), g)){{.CandDims}}),
                     same)) AS cands
  FROM (
    SELECT uid,
           groupArrayIf((reg_us, channel, campaign, source, medium{{.TupleDims}}), kind = 0) AS regs,
           minIf(reg_us, kind = 0) AS first_us,
           groupArrayIf((pur_us, amount), kind = 1) AS purs,
           toInt64(countIf(kind = 0)) - 1 AS duplicates
    FROM (
      SELECT toUInt8(3) AS kind, g_uid AS uid, toInt64(0) AS reg_us, any(g_channel) AS channel, any(g_campaign) AS campaign,
             any(g_source) AS source, any(g_medium) AS medium,
             any(g_dim1) AS dim1, any(g_dim2) AS dim2, any(g_dim3) AS dim3, any(g_dim4) AS dim4,
             toInt64(0) AS pur_us, toInt64(0) AS amount
      FROM (
        SELECT g.uid AS g_uid, g.channel AS g_channel, g.campaign AS g_campaign, g.source AS g_source, g.medium AS g_medium,
               g.dim1 AS g_dim1, g.dim2 AS g_dim2, g.dim3 AS g_dim3, g.dim4 AS g_dim4
        FROM {{.RegistrationsKeyed}} AS g
        WHERE 0
      )
      GROUP BY g_uid
      UNION ALL
      SELECT toUInt8(0), r_uid, r_reg_us, channel, campaign, source, medium, dim1, dim2, dim3, dim4, toInt64(0), toInt64(0)
      FROM (
        -- the filters run before any alias - ClickHouse's aliases are global
        SELECT assumeNotNull(r.uid) AS r_uid, assumeNotNull(r.reg_us) AS r_reg_us, r.channel, r.campaign,
               r.source, r.medium, r.dim1, r.dim2, r.dim3, r.dim4
        FROM {{.RegistrationsKeyed}} AS r
        WHERE isNotNull(r.uid) AND isNotNull(r.reg_us) AND r.reg_us >= :range_start_raw AND r.reg_us <= :range_last_raw
      )
      UNION ALL
      SELECT toUInt8(2), h_uid, toInt64(0), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)),
             CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)),
             CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)),
             toInt64(0), toInt64(0)
      FROM (
        SELECT assumeNotNull(h.uid) AS h_uid
        FROM {{.RegistrationsKeyed}} AS h
        WHERE isNotNull(h.uid) AND isNotNull(h.reg_us) AND h.reg_us < :range_start_raw
        GROUP BY h_uid
      )
      UNION ALL
      SELECT toUInt8(1), p_uid, toInt64(0), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)),
             CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)),
             CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)), CAST(NULL AS Nullable(String)),
             p_pur_us, p_amount
      FROM (
        SELECT assumeNotNull(p.uid) AS p_uid, assumeNotNull(p.pur_us) AS p_pur_us, assumeNotNull(p.amount) AS p_amount
        FROM {{.PurchasesKeyed}} AS p
        WHERE isNotNull(p.uid) AND isNotNull(p.pur_us) AND isNotNull(p.amount) AND p.pur_us <= :pur_as_of_raw
      )
    )
    GROUP BY uid
    HAVING duplicates >= 0 AND countIf(kind = 2) = 0
  )
  -- first_us is read by a lambda only - named here, or 18.16 drops it
  WHERE isNotNull(tuple(first_us))
)
ARRAY JOIN cands AS c
