# Hours per week in the five HR zones, and the mean heart rate of minutes 10-40 of the runs.
import polars as pl

m = pl.read_parquet("metrics.parquet")
weeks = (
    m.filter(pl.col("sport") == "running")
    .with_columns(
        week=pl.from_epoch("start_ms", time_unit="ms").dt.truncate("1w"),
        z=pl.col("zones_s").list.to_struct(fields=[f"z{i}_h" for i in range(1, 6)]),
    )
    .unnest("z")
    .group_by("week")
    .agg(
        pl.len().alias("runs"),
        *[(pl.col(f"z{i}_h").sum() / 3600).round(2) for i in range(1, 6)],
        pl.col("window").struct.field("hr_bpm").mean().round(1).alias("hr_10_40_min"),
    )
    .sort("week")
)
print(weeks.tail(8))
