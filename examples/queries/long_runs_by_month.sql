-- Decoupling of the long runs (75 min and more) by month, from the metrics' own columns.
SELECT strftime(to_timestamp(start_ms / 1000), '%Y-%m') AS month,
       count(*) AS long_runs,
       round(avg(decoupling_pct), 1) AS decoupling_pct,
       round(avg("window".hr_bpm), 1) AS hr_10_40_min
FROM 'metrics.parquet'
WHERE sport = 'running' AND moving_s >= 75 * 60 AND decoupling_pct IS NOT NULL
GROUP BY month
ORDER BY month;
