-- paths on ClickHouse - the multi-touch paths of the period's cohort, the
-- same rows, columns and order as sql/paths.sql (read its comment),
-- without window functions, joins or recursion.
-- Per user (one GROUP BY over the cohort's users of first_registrations,
-- existing customers left out, and the touchpoints up to as_of from the
-- period's start less the lookback) - its conversion, revenue and path
-- end (end_us), and its touches in [end - lookback, end] sorted by
-- occurred_at then raw label (byte order); the path is their channels
-- (LabelOf names a raw label) joined by the record separator, the days
-- the whole days from each touch to the end.
-- Per path and timing - conversions, non-conversions and revenue; per
-- path - the array of its timings sorted by their text, whose first is
-- path_row 1, and the path's totals. Each path then yields its timing rows
-- (parts 1 and 2) and, when touched, one row per touch with its users
-- (part 0); one GROUP BY sums part 0 over the paths. The levels whose
-- lambdas read columns of the sub-select below name them in a WHERE that
-- always holds - 18.16 drops a column of a sub-select that only a lambda
-- of a pruned select list reads.
SELECT part, touched, path, reg_channel, reg_valid, days,
       toInt64(sum(c_conv)) AS conversions, toInt64(sum(c_non)) AS non_conversions, toInt64(sum(c_rev)) AS revenue,
       toInt64(sum(c_users)) AS path_users, path_conv, path_non, path_rev, path_row
FROM (
  SELECT tupleElement(o, 1) AS part, tupleElement(o, 2) AS touched, tupleElement(o, 3) AS path,
         tupleElement(o, 4) AS reg_channel, tupleElement(o, 5) AS reg_valid, tupleElement(o, 6) AS days,
         tupleElement(o, 7) AS c_conv, tupleElement(o, 8) AS c_non, tupleElement(o, 9) AS c_rev,
         tupleElement(o, 10) AS c_users, tupleElement(o, 11) AS path_conv, tupleElement(o, 12) AS path_non,
         tupleElement(o, 13) AS path_rev, tupleElement(o, 14) AS path_row
  FROM (
    SELECT *,
           toInt64(p_touched) AS k_touched, CAST(p_path AS Nullable(String)) AS k_path,
           CAST(p_reg_channel AS Nullable(String)) AS k_reg_channel, toInt64(p_reg_valid) AS k_reg_valid,
           toInt64(arraySum(x -> tupleElement(x, 2) + tupleElement(x, 3), timings)) AS p_users,
           toInt64(arraySum(x -> tupleElement(x, 2), timings)) AS p_conv,
           toInt64(arraySum(x -> tupleElement(x, 3), timings)) AS p_non,
           toInt64(arraySum(x -> tupleElement(x, 4), timings)) AS p_rev,
           arrayConcat(
             arrayMap(i -> (toInt64(1 + k_touched), k_touched, k_path, k_reg_channel, k_reg_valid, tupleElement(timings[i], 1),
                            tupleElement(timings[i], 2), tupleElement(timings[i], 3), tupleElement(timings[i], 4),
                            p_users, p_conv, p_non, p_rev, toInt64(i = 1)),
                      arrayEnumerate(timings)),
             arrayMap(l -> (toInt64(0), toInt64(1), CAST(l AS Nullable(String)), CAST(NULL AS Nullable(String)), toInt64(0), CAST(NULL AS Nullable(String)),
                            p_users, toInt64(0), toInt64(0), p_users, toInt64(0), toInt64(0), toInt64(0), toInt64(1)),
                      if(p_touched = 1, splitByString({{.TouchSep}}, assumeNotNull(p_path)), emptyArrayString()))) AS out_rows
    FROM (
      SELECT touched AS p_touched, u_path AS p_path, u_reg_channel AS p_reg_channel, u_reg_valid AS p_reg_valid,
             arraySort(x -> ifNull(tupleElement(x, 1), ''),
                       groupArray((u_days, toInt64(conversions), toInt64(non_conversions), toInt64(revenue)))) AS timings
      FROM (
        SELECT touched, u_path, u_reg_channel, u_reg_valid, u_days,
               sum(converted) AS conversions, sum(1 - converted) AS non_conversions, sum(revenue) AS revenue
        FROM (
          SELECT *, toInt64(notEmpty(sel)) AS touched, toInt64(end_us) AS u_end,
                 if(touched = 1, CAST(arrayStringConcat(arrayMap(t -> {{.LabelOf}}, sel), {{.TouchSep}}) AS Nullable(String)),
                    CAST(NULL AS Nullable(String))) AS u_path,
                 if(touched = 1, CAST(NULL AS Nullable(String)), channel) AS u_reg_channel,
                 toInt64(touched = 0 AND isNotNull(channel)) AS u_reg_valid,
                 if(touched = 1 AND (converted = 1 OR revenue != 0),
                    CAST(arrayStringConcat(arrayMap(t -> toString(intDiv(u_end - tupleElement(t, 1), 86400000000)), sel), ',') AS Nullable(String)),
                    CAST(NULL AS Nullable(String))) AS u_days
          FROM (
            SELECT tupleElement(c, 1) AS channel, tupleElement(c, 2) AS revenue, tupleElement(c, 3) AS converted,
                   tupleElement(c, 4) AS end_us,
                   arraySort(arrayFilter(t -> tupleElement(t, 1) <= end_us AND tupleElement(t, 1) >= end_us - :lookback_us, touches)) AS sel
            FROM (
              SELECT user_id, groupArrayIf((channel, revenue, converted, end_us), kind = 0)[1] AS c,
                     groupArrayIf((at_us, raw), kind = 1) AS touches
              FROM (
                SELECT toUInt8(0) AS kind, toString(f_uid) AS user_id, f_channel AS channel, toInt64(f_revenue) AS revenue,
                       toInt64(f_converted) AS converted,
                       toInt64(multiIf(f_converted = 1 AND :by_registration = 1, f_reg_us, f_converted = 1, f_first_at,
                                       f_reg_us + :window_us < :as_of, f_reg_us + :window_us, :as_of)) AS end_us,
                       toInt64(0) AS at_us, '' AS raw
                FROM (
                  SELECT uid AS f_uid, channel AS f_channel, revenue AS f_revenue, reg_us AS f_reg_us, first_at AS f_first_at,
                         toInt64(:by_registration = 1 OR (has_first AND first_at < reg_us + :window_us)) AS f_converted
                  FROM (
-- include first_registrations
                  )
                  WHERE existing < 1
                )
                UNION ALL
                SELECT toUInt8(1), assumeNotNull(tp.user_id), CAST(NULL AS Nullable(String)), toInt64(0), toInt64(0), toInt64(0),
                       toInt64(assumeNotNull(tp.occurred_at)), ifNull(tp.channel, '')
                FROM (
{{.Touchpoints}}
                ) AS tp
                WHERE isNotNull(tp.user_id) AND isNotNull(tp.occurred_at)
                  AND tp.occurred_at >= :from_us AND tp.occurred_at <= :as_of
              )
              GROUP BY user_id
              HAVING countIf(kind = 0) > 0
            )
            WHERE isNotNull(c)
          )
          WHERE isNotNull(end_us)
        )
        GROUP BY touched, u_path, u_reg_channel, u_reg_valid, u_days
      )
      GROUP BY p_touched, p_path, p_reg_channel, p_reg_valid
    )
    WHERE isNotNull(tuple(p_touched, p_path, p_reg_channel, p_reg_valid))
  )
  ARRAY JOIN out_rows AS o
)
GROUP BY part, touched, path, reg_channel, reg_valid, days, path_conv, path_non, path_rev, path_row
ORDER BY part, path_users DESC, ifNull(path, ''), ifNull(reg_channel, ''), reg_valid, ifNull(days, '')
