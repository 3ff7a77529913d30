-- edge.sql - a handful of registrations, purchases and spend rows that hit
-- every edge case of METRICS.md the generated data does not (exact window
-- bounds, as-of, local midnight, ties, NULLs, zero amounts, refunds only,
-- Unicode white space, spend without registrations). `bench/compare edge`
-- loads it into the schema :"schema" and checks that the three peers agree
-- with each other and with the figures worked out by hand in bench/compare
-- (EDGE_EXPECTED), for October 2026 as of 2026-11-20T00:00:00Z in
-- Europe/Berlin with a 30-day window.
CREATE SCHEMA :"schema";
SET search_path TO :"schema";
CREATE TABLE registrations (user_id bigint, registered_at timestamptz, channel text, campaign text, source text, medium text);
CREATE TABLE purchases (user_id bigint, purchased_at timestamptz, amount numeric(14,2));
CREATE TABLE spend (date date, channel text, campaign text, amount numeric(14,2));
-- Registrations (the user_id is the case number used below).
INSERT INTO registrations (user_id, registered_at, channel) VALUES
 (1, '2026-10-05 10:00Z', 'Email'),                   -- buys at registered_at (day 0), refund inside the window
 (2, '2026-10-06 10:00Z', ' Email '),                 -- label with spaces; buys at exactly + 720 h (too late); 0.00 row
 (3, '2026-10-07 10:00Z', NULL),                      -- bought before registering: existing customer, left out
 (4, '2026-10-08 10:00Z', ''),                        -- empty label: (none); only a refund in the window
 (5, '2026-09-30 22:30Z', 'Paid'),                    -- 1 October 00:30 in Berlin: in the period
 (6, '2026-10-31 23:30Z', 'Paid'),                    -- 1 November 00:30 in Berlin: not in the period
 (7, '2026-09-15 10:00Z', 'Display'), (7, '2026-10-10 10:00Z', 'Email'), -- first registration before the period
 (8, '2026-10-12 10:00Z', '=Sum'), (8, '2026-10-20 10:00Z', '<b>x</b>'), -- the duplicate does not count
 (9, '2026-10-15 10:00Z', 'Ünïcødé'),                 -- buys one second after as-of: not a customer
 (10, '2026-10-25 00:30Z', 'Ünïcødé'),                -- buys at exactly as-of (after the DST change): a customer
 (NULL, '2026-10-16 10:00Z', 'Email'),                -- no user: left out
 (13, '2026-10-17 10:00Z', 'Email'),                  -- a 0.00 row first, then a purchase
 (14, '2026-10-18 10:00Z', E'\u00a0Email\u2003'),     -- no-break and em spaces around the label; buys at + 720 h − 1 µs
 (15, '2026-10-19 10:00Z', 'B'), (15, '2026-10-19 10:00Z', 'A'),         -- a tie: the smaller label, A
 (16, '2026-10-20 10:00Z', 'Paid');                   -- 0.00 and a refund before registering, rows with NULLs
INSERT INTO purchases VALUES
 (1, '2026-10-05 10:00Z', 10.00), (1, '2026-10-06 10:00Z', -5.00),
 (2, '2026-10-06 10:00Z'::timestamptz + interval '720 hours', 40.00), (2, '2026-10-07 10:00Z', 0.00),
 (3, '2026-10-01 10:00Z', 20.00), (3, '2026-10-08 10:00Z', 20.00),
 (4, '2026-10-09 10:00Z', -3.00),
 (5, '2026-10-01 10:00Z', 11.11),
 (6, '2026-11-02 10:00Z', 66.00),
 (7, '2026-10-11 10:00Z', 70.00),
 (8, '2026-10-21 10:00Z', 8.80),
 (9, '2026-11-20 00:00:01Z', 9.00),
 (10, '2026-11-20 00:00:00Z', 7.77),
 (13, '2026-10-17 11:00Z', 0.00), (13, '2026-10-19 10:00Z', 13.13),
 (14, '2026-10-18 10:00Z'::timestamptz + interval '720 hours' - interval '1 microsecond', 14.14),
 (15, '2026-10-19 12:00Z', 15.00),
 (16, '2026-10-20 09:59:59Z', 0.00), (16, '2026-10-20 09:00Z', -1.00), (16, NULL, 5.00),
 (NULL, '2026-10-21 10:00Z', 5.00), (16, '2026-10-21 10:00Z', NULL);
-- Spend: the period's dates only, labels normalised like registrations, a
-- channel without registrations, a NULL label and a NULL amount.
INSERT INTO spend VALUES
 ('2026-10-01', 'Email', NULL, 100.00), ('2026-10-31', ' Email', NULL, 50.50),
 ('2026-10-15', 'Spend Only', NULL, 12.34), ('2026-11-01', 'Email', NULL, 999.00),
 ('2026-09-30', 'Email', NULL, 999.00), ('2026-10-10', NULL, NULL, 1.00), ('2026-10-11', 'Paid', NULL, NULL);
ANALYZE registrations, purchases, spend;
