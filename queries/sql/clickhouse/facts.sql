-- facts on ClickHouse - the one pass of a report, the same rows and
-- columns as sql/facts.sql (read its comment for the parts), computed
-- without window functions or correlated subqueries - every user's facts
-- (first_registrations) expand into the rows they add to each part (an
-- ARRAY JOIN of tuples, part 0 where the user adds nothing), and one
-- GROUP BY sums them. A sum that leaves the range of a 64-bit integer
-- stops the statement (throwIf) instead of wrapping.
SELECT tupleElement(t, 1) AS part, channel, tupleElement(t, 2) AS campaign,
       tupleElement(t, 3) AS k1, tupleElement(t, 4) AS k2, tupleElement(t, 5) AS k3,
       sum(tupleElement(t, 6)) AS v1, sum(tupleElement(t, 7)) AS v2, sum(tupleElement(t, 8)) AS v3,
       sum(tupleElement(t, 9)) AS v4, sum(tupleElement(t, 10)) AS v5, sum(tupleElement(t, 11)) AS v6,
       sum(tupleElement(t, 12)) AS v7, sum(tupleElement(t, 13)) AS v8, tupleElement(t, 14) AS user_id
FROM (
  SELECT channel, throwIf(revenue_abs > 9.2e18) AS overflow,
         arrayJoin(arrayFilter(x -> tupleElement(x, 1) > 0, [
    (toInt64(if(in_p OR in_q, if(in_p, 1, 2), 0)), CAST(NULL AS Nullable(String)), existing, k2, k3,
     toInt64(1), duplicates, revenue, toInt64(0), toInt64(0), toInt64(0), toInt64(0), toInt64(0), CAST(NULL AS Nullable(String))),
    (toInt64(if(in_p AND existing = 0, 3, 0)), CAST(NULL AS Nullable(String)), toInt64(floor({{.LocalDay}})), toInt64(0), toInt64(0),
     toInt64(1), toInt64(has_first AND first_at < reg_us + :window_us),
     toInt64(has_first AND first_at < reg_us + :by1_us), toInt64(has_first AND first_at < reg_us + :by2_us),
     toInt64(has_first AND first_at < reg_us + :by3_us), toInt64(has_first AND first_at < reg_us + :by4_us),
     revenue, k3, CAST(NULL AS Nullable(String))),
    (toInt64(if(:prospects = 1 AND existing = 0 AND NOT has_first AND reg_us + :window_us > :as_of, 99, 0)), campaign,
     toInt64(0), toInt64(0), toInt64(0), reg_us, toInt64(0), toInt64(0), toInt64(0), toInt64(0), toInt64(0), toInt64(0), toInt64(0),
     CAST(uid AS Nullable(String))){{.DrillParts}}{{.CurveParts}}
  ])) AS t
  FROM (
    SELECT *,
           reg_us >= :p_start AND reg_us < :p_end AS in_p,
           reg_us >= :q_start AND reg_us < :q_end AS in_q,
           toInt64(if(has_first AND first_at < reg_us + :window_us, intDiv(first_at - reg_us, 86400000000), -1)) AS k2,
           toInt64(reg_us + :window_us > :as_of) AS k3
    FROM (
-- include first_registrations
    )
  )
)
GROUP BY part, channel, campaign, k1, k2, k3, user_id
HAVING throwIf(max(overflow) > 0 OR abs(sum(toFloat64(tupleElement(t, 8)))) > 9.2e18 OR abs(sum(toFloat64(tupleElement(t, 12)))) > 9.2e18) = 0
ORDER BY part
