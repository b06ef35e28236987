//! The commit protocol: samples staged as part files ([`Store::stage`]), then made part of the
//! store by rewriting the activities table and the manifest ([`Store::publish`]).

use super::*;

impl Store {
    /// Writes the samples of `pending` as new part files, which are not yet in the store:
    /// [`Store::publish`] adds them. Parts staged and never published (a crash, an error) are
    /// deleted by the next writer.
    ///
    /// Staging many batches and publishing them at once is what lets an import keep its memory
    /// bounded (the samples go to disk batch by batch) without rewriting the whole activities
    /// table after every batch.
    ///
    /// # Errors
    /// Any write failure (disk full, read-only); the store is as it was.
    pub fn stage(&mut self, mut pending: Vec<Pending>) -> Result<Staged, StoreError> {
        let staging = self.dir.join(STAGING);
        fs::create_dir_all(&staging).map_err(StoreError::io(&staging))?;
        for d in PART_DIRS {
            fs::create_dir_all(self.dir.join(d)).map_err(StoreError::io(self.dir.join(d)))?;
        }
        // Numbered before anything is written, so a failed stage never reuses its number.
        self.staged_generation = self.staged_generation.max(self.manifest.generation) + 1;
        let generation = self.staged_generation;
        let part_name = format!("part-{generation:08}.parquet");
        let samples_part = format!("samples/{part_name}");
        let now_ms = chrono::Utc::now().timestamp_millis();

        // The new rows are made before the samples are moved out of the activities into the
        // part frames.
        let mut stats = CommitStats::default();
        let rows: Vec<ActivityRow> = pending
            .iter()
            .map(|p| {
                stats.activities += 1;
                stats.samples += p.activity.samples.len();
                ActivityRow::from_activity(
                    &p.activity,
                    &p.source_hash,
                    &p.warnings,
                    &samples_part,
                    now_ms,
                )
            })
            .collect();
        let metrics: Vec<MetricsRow> = pending
            .iter_mut()
            .filter_map(|p| p.metrics.take())
            .collect();
        let has_data = pending.iter().any(|p| {
            !p.activity.samples.is_empty()
                || !p.activity.rr_ms.is_empty()
                || !p.activity.samples.developer.is_empty()
        });
        let mut parts = Vec::new();
        if has_data {
            let mut activities: Vec<&mut Activity> =
                pending.iter_mut().map(|p| &mut p.activity).collect();
            let frames =
                tables::sample_frames(&mut activities).map_err(StoreError::parquet(&staging))?;
            drop(pending);
            let (samples, dev, rr) = frames;
            for (dir, mut df) in PART_DIRS.into_iter().zip([samples, dev, rr]) {
                if df.height() == 0 && dir != "samples" {
                    continue;
                }
                let tmp = staging.join(format!("{dir}-{part_name}"));
                tables::write_parquet(&mut df, &tmp)?;
                let rel = format!("{dir}/{part_name}");
                fsutil::rename_durable(&tmp, &self.dir.join(&rel))
                    .map_err(StoreError::io(self.dir.join(&rel)))?;
                parts.push(rel);
            }
        }
        if !metrics.is_empty() {
            let tmp = staging.join(format!("{METRICS_PARTS}-{part_name}"));
            let mut df = derived::part_frame(&metrics).map_err(StoreError::parquet(&tmp))?;
            tables::write_parquet(&mut df, &tmp)?;
            drop(metrics);
            let rel = format!("{METRICS_PARTS}/{part_name}");
            fsutil::rename_durable(&tmp, &self.dir.join(&rel))
                .map_err(StoreError::io(self.dir.join(&rel)))?;
            parts.push(rel);
        }
        Ok(Staged {
            rows,
            parts,
            generation,
            stats,
        })
    }

    /// Adds staged parts and their activities, newly seen sources, and drops the `replaced`
    /// activities (stored or staged), as one new generation: either all of it is in the store
    /// afterwards, or (after a crash at any point) none of it.
    ///
    /// # Errors
    /// Any write failure (disk full, read-only); the store is then as it was, and the staged
    /// parts are left for the next writer to delete.
    pub fn publish(
        &mut self,
        staged: Vec<Staged>,
        new_sources: Vec<SourceRow>,
        replaced: &[String],
    ) -> Result<CommitStats, StoreError> {
        let mut stats = CommitStats::default();
        let mut parts = self.manifest.parts.clone();
        let mut generation = self.manifest.generation;
        let mut new_rows: Vec<ActivityRow> = Vec::new();
        let mut new_metrics = false;
        for s in staged {
            new_metrics |= s.parts.iter().any(|p| is_metrics_part(p));
            stats.activities += s.stats.activities;
            stats.samples += s.stats.samples;
            parts.extend(s.parts);
            generation = generation.max(s.generation);
            new_rows.extend(s.rows);
        }
        if new_rows.is_empty()
            && new_sources.is_empty()
            && replaced.is_empty()
            && self.pending_readings.is_empty()
        {
            return Ok(stats);
        }
        let staging = self.dir.join(STAGING);
        fs::create_dir_all(&staging).map_err(StoreError::io(&staging))?;
        // The readings go first: a crash before the activities' commit point leaves them in
        // with their files not yet marked seen, and the next import reads those files again and
        // writes the same rows over them.
        let readings = if self.pending_readings.is_empty() {
            None
        } else {
            Some(self.write_readings(&staging)?)
        };
        // activities.parquet is the commit point: once it is renamed in, the new parts are
        // referenced and kept. sources.parquet and the manifest follow; if a crash skips them,
        // `load` repairs the manifest from the parts the activities reference, and the files
        // whose sources row was lost are recognised by the activities' `source_hash`.
        //
        // Both tables are rewritten from their files, a row group at a time, with the new rows
        // merged in: they need not be in memory (`release_rows`). `self` changes only once
        // everything is written.
        let replaced: HashSet<&str> = replaced.iter().map(String::as_str).collect();
        new_rows.sort_by(row_order);
        let apath = self.dir.join(ACTIVITIES);
        let atmp = staging.join(ACTIVITIES);
        let old = read_table(&apath)?;
        let mut count = 0;
        tables::write_parquet_frames(
            &atmp,
            merge_activities(old.as_ref(), &new_rows, &replaced, &mut count),
        )?;
        drop(old);
        fsutil::rename_durable(&atmp, &apath).map_err(StoreError::io(&apath))?;

        let spath = self.dir.join(SOURCES);
        let stmp = staging.join(SOURCES);
        let old = read_table(&spath)?;
        // Through rows rather than as read: every frame then has the schema `sources_frame`
        // gives, which the writer takes from the first one (a table another version or tool
        // wrote may differ in its types).
        let old_chunks = old.iter().flat_map(|df| {
            (0..df.height()).step_by(tables::CHUNK_ROWS).map(|lo| {
                let rows = tables::sources_from_frame(
                    &df.slice(i64::try_from(lo).unwrap_or(i64::MAX), tables::CHUNK_ROWS),
                )?;
                tables::sources_frame(&rows.iter().collect::<Vec<_>>())
            })
        });
        let new_chunks = new_sources
            .chunks(tables::CHUNK_ROWS)
            .map(|c| tables::sources_frame(&c.iter().collect::<Vec<_>>()));
        let empty = std::iter::once_with(|| tables::sources_frame(&[]));
        tables::write_parquet_frames(&stmp, old_chunks.chain(new_chunks).chain(empty))?;
        drop(old);
        fsutil::rename_durable(&stmp, &spath).map_err(StoreError::io(&spath))?;

        let manifest = Manifest {
            schema_version: SCHEMA_VERSION,
            generation,
            parts,
            written_by: format!("hrdrift {}", env!("CARGO_PKG_VERSION")),
        };
        self.write_manifest(&manifest)?;

        if !self.released {
            self.rows.extend(new_rows);
            self.rows.retain(|r| !replaced.contains(r.id.as_str()));
            self.rows.sort_by(row_order);
            self.sources.extend(new_sources);
        }
        self.count = count;
        if let Some(r) = readings {
            self.readings = r;
            self.pending_readings.clear();
        }
        self.metrics_behind |= new_metrics;
        self.manifest = manifest;
        Ok(stats)
    }
}

impl Store {
    /// Writes the wellness table with the pending readings merged in (one row per day and
    /// source, the pending one's values replacing a stored one's); returns its rows.
    fn write_readings(&self, staging: &Path) -> Result<Vec<ReadingRow>, StoreError> {
        let mut by_key: std::collections::BTreeMap<(String, String), ReadingRow> = self
            .readings
            .iter()
            .map(|r| ((r.date.clone(), r.source.clone()), r.clone()))
            .collect();
        for r in &self.pending_readings {
            match by_key.get_mut(&(r.date.clone(), r.source.clone())) {
                Some(old) => old.update(r),
                None => {
                    by_key.insert((r.date.clone(), r.source.clone()), r.clone());
                }
            }
        }
        let rows: Vec<ReadingRow> = by_key.into_values().collect();
        let path = self.dir.join(WELLNESS);
        let tmp = staging.join(WELLNESS);
        let frame = tables::readings_frame(&rows.iter().collect::<Vec<_>>());
        tables::write_parquet_frames(&tmp, std::iter::once(frame))?;
        fsutil::rename_durable(&tmp, &path).map_err(StoreError::io(&path))?;
        Ok(rows)
    }
}

/// Sample parts written by [`Store::stage`], with the rows of their activities, waiting for
/// [`Store::publish`].
pub struct Staged {
    rows: Vec<ActivityRow>,
    parts: Vec<String>,
    generation: u64,
    stats: CommitStats,
}

impl Staged {
    /// Activities in these parts.
    #[must_use]
    pub fn activities(&self) -> usize {
        self.rows.len()
    }
}
