-- Resting HR and overnight rMSSD by ISO week, from the morning readings (one row per day and source).
SELECT strftime(CAST(date AS DATE), '%G-W%V') AS week,
       round(avg(resting_hr_bpm), 1) AS resting_hr_bpm,
       round(exp(avg(ln(rmssd_ms))), 1) AS rmssd_ms,
       count(DISTINCT date) AS mornings
FROM 'wellness.parquet'
GROUP BY week
ORDER BY week;
