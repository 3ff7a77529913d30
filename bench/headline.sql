-- headline.sql - the headline figures of one report period per channel, as a
-- DBA would write them by hand: one statement over the raw tables of
-- `origen fixtures load`, in the index-friendly form (sargable range filters
-- on the stored columns, anti-joins with NOT EXISTS, per-user probes of
-- purchases by (user_id, purchased_at)). bench/compare runs it next to
-- `origen report` and the pandas peer and checks that all three agree.
--
-- Every figure follows /work/shared/METRICS.md (docs/METRICS.md):
--   registrations  the period's registrations after de-duplication (each
--                  user's earliest registration, "Cohort" rule 1) without
--                  the users who bought before registering (rule 3);
--   customers      of those, the users whose first purchase (amount > 0) at
--                  or after registering is within W×24 h and at or before
--                  as_of ("Conversion");
--   revenue        the sum of all purchase and refund rows of those users
--                  within [registered_at, registered_at + W×24 h) and at or
--                  before as_of ("Money");
--   spend          the spend rows dated in [from, to) ("Money");
-- by channel label, trimmed of white space, NULL or empty as "(none)"
-- (rule 2). Money is numeric, summed exactly.
--
-- psql variables, all required:
--   schema       the schema holding registrations, purchases and spend
--   from, to     the period [from, to), local dates (YYYY-MM-DD)
--   tz           the business time zone (IANA), e.g. Europe/Berlin
--   as_of        the data cutoff (RFC 3339), e.g. 2026-11-20T00:00:00Z
--   window_days  the conversion window W in days, e.g. 30
-- e.g.
--   psql -X --csv -v schema=bench_1m -v from=2026-10-01 -v to=2026-11-01 \
--        -v tz=Europe/Berlin -v as_of=2026-11-20T00:00:00Z -v window_days=30 \
--        -f bench/headline.sql "$DSN"
WITH first_registration AS (
  -- The period's registrations that are their user's first: no earlier
  -- registration of the same user (a probe of (user_id, registered_at)).
  -- DISTINCT ON breaks a tie at the same instant by the smaller raw
  -- channel, NULL last, as Origen does.
  SELECT DISTINCT ON (r.user_id) r.user_id, r.registered_at, r.channel
  FROM :"schema".registrations r
  WHERE r.registered_at >= (:'from'::date)::timestamp AT TIME ZONE :'tz'
    AND r.registered_at < (:'to'::date)::timestamp AT TIME ZONE :'tz'
    AND r.registered_at <= :'as_of'::timestamptz
    AND r.user_id IS NOT NULL
    AND NOT EXISTS (
      SELECT 1
      FROM :"schema".registrations e
      WHERE e.user_id = r.user_id
        AND e.registered_at < r.registered_at)
  ORDER BY r.user_id, r.registered_at, r.channel
),
cohort AS (
  -- Users who had bought before registering were customers already.
  SELECT f.user_id, f.registered_at, f.channel
  FROM first_registration f
  WHERE NOT EXISTS (
    SELECT 1
    FROM :"schema".purchases p
    WHERE p.user_id = f.user_id
      AND p.amount > 0
      AND p.purchased_at < f.registered_at)
),
per_user AS (
  -- The user's purchase and refund rows inside the window: any purchase
  -- there means the first one is there too, so the user converted.
  SELECT c.channel, w.converted, w.revenue
  FROM cohort c
  CROSS JOIN LATERAL (
    SELECT bool_or(p.amount > 0) AS converted, sum(p.amount) AS revenue
    FROM :"schema".purchases p
    WHERE p.user_id = c.user_id
      AND p.purchased_at >= c.registered_at
      AND p.purchased_at < c.registered_at + make_interval(hours => :window_days * 24)
      AND p.purchased_at <= :'as_of'::timestamptz
  ) w
),
by_channel AS (
  -- Trimmed of what Go's unicode.IsSpace calls white space, as Origen does.
  SELECT coalesce(nullif(btrim(channel, E'\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000'), ''), '(none)') AS channel,
         count(*) AS registrations,
         count(*) FILTER (WHERE converted) AS customers,
         sum(revenue) AS revenue
  FROM per_user
  GROUP BY 1
),
spend_by_channel AS (
  SELECT coalesce(nullif(btrim(channel, E'\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000'), ''), '(none)') AS channel,
         sum(amount) AS spend
  FROM :"schema".spend
  WHERE date >= :'from'::date
    AND date < :'to'::date
    AND amount IS NOT NULL
  GROUP BY 1
)
SELECT coalesce(b.channel, s.channel) AS channel,
       coalesce(b.registrations, 0) AS registrations,
       coalesce(b.customers, 0) AS customers,
       coalesce(b.revenue, 0)::numeric(20, 2) AS revenue,
       coalesce(s.spend, 0)::numeric(20, 2) AS spend
FROM by_channel b
FULL JOIN spend_by_channel s ON s.channel = b.channel
ORDER BY coalesce(b.channel, s.channel) COLLATE "C";
