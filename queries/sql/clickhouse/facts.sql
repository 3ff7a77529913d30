-- facts on ClickHouse - the one pass of a report, the same rows and
-- columns as sql/facts.sql (read its comment for the parts) but for the
-- prospects (part 99, below), computed
-- without window functions or correlated subqueries - every user's facts
-- (first_registrations) carry a bit mask of the parts they add a row to
-- (bit b, below). Users with the same values in every column a part
-- reads are one group first (their count n, the sums of duplicates and
-- revenue; a prospect's own row needs its user, so a group keeps its
-- prospects as an array), the ARRAY JOIN of a group's bits gives one row
-- per part, whose columns multiIf picks by b, and one GROUP BY sums them.
-- The prospects (bit 4) stay arrays to the end - one part 99 row per
-- channel and campaign, its prospects' registration instants and users
-- in the two last columns (empty in every other row), in the same order,
-- the users in one text, each as its length in bytes, a space and the
-- user (a few bytes a user, not a string each) -
-- because 18.16 sends a GROUP BY's result as one block, whatever
-- max_block_size says, and the driver decodes a block whole - a row per
-- prospect was a block of 140 MB in Origen at 10M registrations
-- (docs/SCALE.md).
--   b = 1 cohort (part 1 or 2), 2 daily cohorts (3), 4 prospects (99),
--   8, 16, 32, 64, 128, 256 drill-down (4, 5, 21..24),
--   512, 1024, 2048, 4096 curve specifications 1..4 (10 + part).
-- A sum that leaves the range of a 64-bit integer stops the statement
-- (throwIf) instead of wrapping.
SELECT part, channel, out_campaign, k1, k2, k3,
       sum(c1) AS v1, sum(c2) AS v2, sum(c3) AS v3, sum(c4) AS v4,
       sum(c5) AS v5, sum(c6) AS v6, sum(c7) AS v7, sum(c8) AS v8, out_user,
       groupArrayArray(p_at) AS prospects_at, arrayStringConcat(groupArrayArray(p_user)) AS prospects_user
FROM (
  SELECT channel, throwIf(overflow_g) AS overflow,

         toInt64(multiIf(b = 1, if(in_p, 1, 2), b = 2, 3, b = 4, 99, b = 8, 4, b = 16, 5, b = 32, 21, b = 64, 22, b = 128, 23, b = 256, 24,
                         {{.CurvePart}})) AS part,
         multiIf(b = 4 OR b = 8 OR b >= 512, campaign, b = 16, source, b = 32, dim1, b = 64, dim2, b = 128, dim3, b = 256, dim4,
                 CAST(NULL AS Nullable(String))) AS out_campaign,
         toInt64(multiIf(b = 2, local_day, b = 4, 0, b >= 512, {{.CurveDay}}, existing)) AS k1,
         toInt64(if(b = 1 OR (b >= 8 AND b <= 256), k2_of, 0)) AS k2,
         toInt64(if(b = 1 OR (b >= 8 AND b <= 256), k3_of, 0)) AS k3,
         toInt64(multiIf(b = 4, 0, b >= 512, ({{.CurveConverted}}) * n, n)) AS c1,
         toInt64(multiIf(b = 2, customer * n, b = 4, 0, b >= 512, (1 - ({{.CurveConverted}})) * n, dups)) AS c2,
         toInt64(multiIf(b = 2, by1 * n, b = 4, 0, b >= 512, ({{.CurveOpen}}) * n, rev)) AS c3,
         toInt64(multiIf(b = 2, by2 * n, b >= 512, ({{.CurveOpenNext}}) * n, 0)) AS c4,
         toInt64(if(b = 2, by3 * n, 0)) AS c5, toInt64(if(b = 2, by4 * n, 0)) AS c6,
         toInt64(if(b = 2, rev, 0)) AS c7, toInt64(if(b = 2, k3_of * n, 0)) AS c8,
         multiIf(b = 16, medium, CAST(NULL AS Nullable(String))) AS out_user,
         arraySlice(ps, 1, if(b = 4, length(ps), 0)) AS p_ps,
         arrayMap(x -> tupleElement(x, 1), p_ps) AS p_at,
         arrayMap(x -> concat(toString(length(tupleElement(x, 2))), ' ', tupleElement(x, 2)), p_ps) AS p_user
  FROM (
    SELECT channel, campaign, source, medium, dim1, dim2, dim3, dim4, mask, in_p, existing, local_day, k2_of, k3_of,
           customer, by1, by2, by3, by4{{.CurveKeys}},
           toInt64(count()) AS n, toInt64(sum(duplicates)) AS dups, toInt64(sum(revenue)) AS rev,
           max(revenue_abs) > 9.2e18 OR abs(sum(toFloat64(revenue))) > 9.2e18 AS overflow_g,
           groupArrayIf((toInt64(reg_us), CAST(uid AS String)), bitAnd(mask, 4) != 0) AS ps
    FROM (
      SELECT *,
             toUInt64((in_p OR in_q)
                      + 2 * (in_p AND existing = 0)
                      + 4 * (:prospects = 1 AND existing = 0 AND NOT has_first AND reg_us + :window_us > :as_of)
                      + 8 * in_p + 16 * in_p
                      + 32 * (in_p AND :dimensions > 0) + 64 * (in_p AND :dimensions > 1)
                      + 128 * (in_p AND :dimensions > 2) + 256 * (in_p AND :dimensions > 3){{.CurveMask}}) AS mask
      FROM (
        SELECT *,
               reg_us >= :p_start AND reg_us < :p_end AS in_p,
               reg_us >= :q_start AND reg_us < :q_end AS in_q,
               toInt64(if(has_first AND first_at < reg_us + :window_us, intDiv(first_at - reg_us, 86400000000), -1)) AS k2_of,
               toInt64(reg_us + :window_us > :as_of) AS k3_of,
               toInt64(floor({{.LocalDay}})) AS local_day,
               toInt64(has_first AND first_at < reg_us + :window_us) AS customer,
               toInt64(has_first AND first_at < reg_us + :by1_us) AS by1, toInt64(has_first AND first_at < reg_us + :by2_us) AS by2,
               toInt64(has_first AND first_at < reg_us + :by3_us) AS by3, toInt64(has_first AND first_at < reg_us + :by4_us) AS by4{{.CurveColumns}}
        FROM (
-- include first_registrations
        )
      )
    )
    GROUP BY channel, campaign, source, medium, dim1, dim2, dim3, dim4, mask, in_p, existing, local_day, k2_of, k3_of,
             customer, by1, by2, by3, by4{{.CurveKeys}}
  )
  ARRAY JOIN bitmaskToArray(mask) AS b
)
GROUP BY part, channel, out_campaign, k1, k2, k3, out_user
HAVING throwIf(max(overflow) > 0 OR abs(sum(toFloat64(c3))) > 9.2e18 OR abs(sum(toFloat64(c7))) > 9.2e18) = 0
ORDER BY part
