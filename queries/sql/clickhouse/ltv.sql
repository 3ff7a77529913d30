-- ltv on ClickHouse - the lifetime-value section's statement, the same
-- rows and columns as sql/ltv.sql (read its comment for the parts),
-- without window functions - per user (first_registrations, its
-- purchases up to as_of in purs, FirstExtra), users who had bought before
-- registering left out (existing), the arrays of its purchases from
-- registering (lp) and of those of amount > 0 sorted by local day and
-- instant (pos), the indexes where a local day starts (starts - the
-- customer's days, the first its birth), then one tuple per row the user
-- adds to a part -
--   (part, k1, k2, k3, k4, v1, v2, v3, per customer)
-- the ARRAY JOIN of the tuples gives one row each, and one GROUP BY sums
-- them (part 1's v2 is the latest registration, a max). Part 13's rows
-- keep the user and campaign, the others group without them.
-- A sum that leaves the range of a 64-bit integer stops the statement
-- (throwIf) instead of wrapping (not part 1's v2, a max of instants).
SELECT part, channel, out_campaign AS campaign, k1, k2, k3, k4,
       sum(c1) AS v1, if(part = 1, max(c2), sum(c2)) AS v2, sum(c3) AS v3, out_user AS user_id
FROM (
  SELECT channel, throwIf(amount_abs > 9.2e18) AS overflow,
         arrayJoin(out_rows) AS r,
         tupleElement(r, 1) AS part, tupleElement(r, 2) AS k1, tupleElement(r, 3) AS k2,
         tupleElement(r, 4) AS k3, tupleElement(r, 5) AS k4,
         tupleElement(r, 6) AS c1, tupleElement(r, 7) AS c2, tupleElement(r, 8) AS c3,
         if(tupleElement(r, 9) = 1, campaign, CAST(NULL AS Nullable(String))) AS out_campaign,
         if(tupleElement(r, 9) = 1, CAST(uid AS Nullable(String)), CAST(NULL AS Nullable(String))) AS out_user
  FROM (
    SELECT *,
           notEmpty(pos) AS customer,
           toInt64(length(starts) - 1) AS x,
           toInt64(if(customer, tupleElement(pos[greatest(length(pos), 1)], 1) - tupleElement(pos[1], 1), 0)) AS tx,
           toInt64(if(customer, :as_of_day - tupleElement(pos[1], 1), 0)) AS t,
           toInt64(if(customer, tupleElement(pos[1], 2), 0)) AS first_us,
           toInt64(arraySum(q -> if(tupleElement(q, 1) = tupleElement(pos[1], 1), tupleElement(q, 3), 0), pos)) AS first_amt,
           toInt64(arraySum(q -> if(tupleElement(q, 1) != tupleElement(pos[1], 1), tupleElement(q, 3), 0), pos)) AS rep,
           toInt64(length(pos)) AS n,
           toInt64(arraySum(p -> tupleElement(p, 2), lp)) AS revenue,
           arraySum(p -> abs(toFloat64(tupleElement(p, 2))), lp) AS amount_abs,
           toInt64(intDiv(first_us - reg_us, 2592000000000) + 1) AS mon1,
           toInt64(if(x > 0, intDiv(tupleElement(pos[greatest(starts[2], 1)], 2) - reg_us, 2592000000000) + 1, 0)) AS mon2,
           arrayConcat(
             [(toInt64(1), cohort, toInt64(0), toInt64(0), toInt64(0), toInt64(1), reg_us, toInt64(0), toUInt8(0))],
             arrayMap(m -> (toInt64(2), cohort, tupleElement(m, 1), toInt64(0), toInt64(0), tupleElement(m, 2), toInt64(0), toInt64(0), toUInt8(0)),
                      arrayFilter(m -> tupleElement(m, 1) <= :max_months,
                                  arrayMap(p -> (toInt64(intDiv(tupleElement(p, 1) - reg_us, 2592000000000) + 1), toInt64(tupleElement(p, 2))), lp))),
             arrayMap(m -> (toInt64(3), cohort, m, toInt64(0), toInt64(0), toInt64(0), toInt64(1), toInt64(0), toUInt8(0)),
                      arrayFilter(m -> customer AND m <= :max_months, [mon1])),
             arrayMap(m -> (toInt64(3), cohort, m, toInt64(0), toInt64(0), toInt64(0), toInt64(0), toInt64(1), toUInt8(0)),
                      arrayFilter(m -> x > 0 AND m <= :max_months, [mon2])),
             arrayMap(m -> (toInt64(11), x, tx, t, toInt64(0), toInt64(1), first_amt, toInt64(0), toUInt8(0)),
                      arrayFilter(m -> customer, [0])),
             arrayMap(m -> (toInt64(12), x, rep, toInt64(0), toInt64(0), toInt64(1), toInt64(0), toInt64(0), toUInt8(0)),
                      arrayFilter(m -> x > 0, [0])),
             arrayMap(m -> (toInt64(13), x, tx, t, rep, first_us, n, revenue, toUInt8(1)),
                      arrayFilter(m -> customer AND :customers = 1, [0]))) AS out_rows
    FROM (
      SELECT *,
             arrayFilter(i -> i = 1 OR tupleElement(pos[i], 1) != tupleElement(pos[greatest(i - 1, 1)], 1), arrayEnumerate(pos)) AS starts
      FROM (
        SELECT uid, reg_us, channel, campaign, toInt64({{.CohortOf}}) AS cohort,
               arrayFilter(p -> tupleElement(p, 1) >= reg_us, purs) AS lp,
               arraySort(arrayMap(p -> (toInt64(floor({{.PurDay}})), tupleElement(p, 1), tupleElement(p, 2)),
                                  arrayFilter(p -> tupleElement(p, 2) > 0, lp))) AS pos
        FROM (
-- include first_registrations
        )
        WHERE existing = 0
      )
    )
  )
)
GROUP BY part, channel, campaign, k1, k2, k3, k4, user_id
HAVING throwIf(max(overflow) > 0 OR abs(sum(toFloat64(c1))) > 9.2e18 OR (part != 1 AND abs(sum(toFloat64(c2))) > 9.2e18)) = 0
ORDER BY part
