--
-- export_format: the export's data lines are what COPY TO writes, byte for
-- byte.  The export formats integers, booleans, dates and timestamps
-- itself and escapes text eight bytes at a time (src/export/copy.c); here
-- COPY is the oracle: the same table is written by COPY TO a server file
-- (under the settings the export pins) and by the export (under other
-- session settings, which the export must not follow), and the two are
-- compared.  Values are chosen to hit every branch: the fast paths' edges
-- (years 1 and 9999, fractions, days before 2000), what they hand to the
-- output function (infinities, BC, years past 9999), every escaped byte
-- at every position of an eight-byte word, NULL and ''.
--
\set SHOW_CONTEXT never
SELECT tec_create_domain('regress_fmt');
SET ROLE regress_fmt_owner;
CREATE DOMAIN regress_fmt.positive AS int4 CHECK (VALUE > 0);
CREATE TABLE regress_fmt.vals (
	n serial PRIMARY KEY,
	i2 int2, i4 int4, i8 int8, b bool, d date, ts timestamp, ts3 timestamp(3),
	tstz timestamptz, t text, vc varchar(40), bc char(6), p regress_fmt.positive,
	num numeric, iv interval, tm time
);
INSERT INTO regress_fmt.vals (i2, i4, i8, b, d, ts, ts3, tstz, t, vc, bc, p, num, iv, tm) VALUES
	(-32768, -2147483648, -9223372036854775808, false, '0001-01-01', '0001-01-01 00:00:00', '0001-01-01 00:00:00.001', '0001-01-01 00:00:00+00',
	 '', '', '', 1, 'NaN', '-1 day', '00:00'),
	(32767, 2147483647, 9223372036854775807, true, '9999-12-31', '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999+00',
	 E'\\', E'\\\\', 'ab', 2147483647, 'Infinity', '1 year 2 mons', '24:00'),
	(0, 0, 0, NULL, '2000-01-01', '2000-01-01 00:00:00', '1999-12-31 23:59:59.999', '1999-12-31 23:59:59.999999+00',
	 NULL, NULL, NULL, NULL, NULL, NULL, NULL),
	(-1, -10, -100, true, '1999-12-31', '1999-12-31 23:59:59.000001', '1970-01-01 00:00:00.1', '2024-02-29 12:34:56.5+02',
	 E'a\tb\nc\rd\be\ff\x0bg\\h', E'\x01\x02\x1f\x7f', E'x\ty', 42, '-0.000001', '-00:00:00.000001', '23:59:59.999999'),
	(NULL, NULL, NULL, NULL, 'infinity', 'infinity', '-infinity', 'infinity',
	 E'é 中文 \\N tab\there', 'ünïcödé', 'ñ', 7, '1e-30', '100 years', '12:00'),
	(1, 1, 1, false, '-infinity', '-infinity', 'infinity', '-infinity',
	 repeat('x', 7) || E'\n', repeat('y', 8) || E'\\', repeat('z', 6), 8, '123456789012345678901234567890.123', NULL, NULL),
	(2, 2, 2, true, '0044-03-15 BC', '0044-03-15 12:00:00 BC', '0001-12-31 23:59:59.999 BC', '0001-01-01 00:00:00+00 BC',
	 repeat(E'\t', 9), repeat('a', 9) || E'\r' || repeat('b', 17), NULL, 9, '0', NULL, NULL),
	(3, 3, 3, true, '10000-01-01', '10000-01-01 00:00:00', '294276-12-31 23:59:59.999', '294276-12-31 23:59:59.999999+00',
	 E'12345678\\12345678\n', E'\n', 'tail', 10, '-1.5', NULL, NULL),
	(4, 4, 4, true, '2024-02-29', '2024-02-29 00:00:00.5', '2024-02-29 00:00:00.05', '2024-02-29 00:00:00.000500+00',
	 repeat('long value ', 300), NULL, NULL, 11, '1', NULL, NULL);
-- A second table of many values, pseudo-random but the same every run:
-- timestamps over the whole fast-path range and beyond, all fractions.
CREATE TABLE regress_fmt.many (
	n int PRIMARY KEY, d date, ts timestamp, tstz timestamptz, t text
);
SELECT setseed(0.25);
INSERT INTO regress_fmt.many
SELECT g,
	date '0001-01-01' + (random() * 3652058)::int,
	timestamp '0001-01-01' + random() * (timestamp '9999-12-31' - timestamp '0001-01-01')
		+ (random() * 1000000)::int * interval '1 microsecond',
	timestamptz '1900-01-01 00:00:00+00' + random() * interval '200 years',
	CASE g % 5 WHEN 0 THEN NULL WHEN 1 THEN md5(g::text) WHEN 2 THEN chr(32 + g % 90) || E'\\' || chr(9 + g % 5)
		WHEN 3 THEN repeat(chr(33 + g % 60), g % 23) ELSE '' END
FROM generate_series(1, 20000) g;

RESET ROLE;

-- COPY's text of both tables (server files in the data directory), written under the settings the export pins.
BEGIN;
SET LOCAL datestyle = 'ISO, MDY';
SET LOCAL timezone = 'UTC';
SET LOCAL intervalstyle = 'postgres';
SET LOCAL extra_float_digits = 3;
DO $$
BEGIN
	EXECUTE format('COPY (SELECT * FROM regress_fmt.vals ORDER BY n) TO %L',
				   current_setting('data_directory') || '/tsov_export_format_vals.copy');
	EXECUTE format('COPY (SELECT * FROM regress_fmt.many ORDER BY n) TO %L',
				   current_setting('data_directory') || '/tsov_export_format_many.copy');
END
$$;
COMMIT;

-- The export, called under settings that would change every date and
-- timestamp if it followed them.
SET datestyle = 'SQL, DMY';
SET timezone = 'America/New_York';
SET intervalstyle = 'sql_standard';
CREATE TEMP TABLE script AS
SELECT string_agg(v, E'\n') AS s FROM (SELECT tec_export_domain('regress_fmt') v) x;
-- The block of one table: the lines between its COPY header and "\.".
CREATE FUNCTION pg_temp.block(script text, tbl text) RETURNS text LANGUAGE sql AS $$
	SELECT split_part(split_part(script, 'COPY regress_fmt.' || tbl || ' ', 2), E'\n\\.', 1)
$$;
-- Every row is in physical order in both (inserted once, never updated).
SELECT tbl,
       substr(pg_temp.block(s, tbl), strpos(pg_temp.block(s, tbl), E'\n') + 1) || E'\n'
         = pg_read_file('tsov_export_format_' || tbl || '.copy') AS same_as_copy,
       array_length(string_to_array(pg_temp.block(s, tbl), E'\n'), 1) - 1 AS rows
FROM script, (VALUES ('vals'), ('many')) t(tbl);
-- The settings of the session are untouched by the export.
SHOW datestyle;
SHOW timezone;
-- Some of the lines, to see the edges at a glance.
SELECT line FROM script, unnest(string_to_array(pg_temp.block(s, 'vals'), E'\n')) WITH ORDINALITY AS l(line, k)
WHERE k BETWEEN 2 AND 9 ORDER BY k;

RESET datestyle;
RESET timezone;
RESET intervalstyle;
SELECT tec_drop_domain('regress_fmt', force => true);
COPY (SELECT 1 WHERE false) TO PROGRAM 'rm -f tsov_export_format_vals.copy tsov_export_format_many.copy';
