//! The store's metrics cache: `metrics.parquet` and the metrics parts over it, read, replaced,
//! changed in place and folded (see [`crate::derived`] for what a row holds).

use super::*;

impl Store {
    /// Reads the metrics cache: `metrics.parquet`, then the metrics parts in the order they were
    /// written, a later row replacing an earlier one of the same activity. Derived data: what
    /// cannot be read is recomputed, never a reason to refuse the store.
    pub(crate) fn load_metrics(&mut self) {
        self.metrics.clear();
        self.metrics_problem = None;
        self.metrics_behind = false;
        let mut files = vec![METRICS.to_owned()];
        files.extend(self.metrics_parts().map(str::to_owned));
        let mut at: HashMap<String, usize> = HashMap::new();
        for rel in files {
            let path = self.dir.join(&rel);
            if !path.exists() {
                continue;
            }
            let frame = if self.summaries {
                tables::read_parquet(&path)
            } else {
                tables::read_parquet_except(&path, &derived::SUMMARIES)
            };
            match frame
                .and_then(|df| derived::metrics_from_frame(&df).map_err(StoreError::parquet(&path)))
            {
                Ok(rows) => {
                    for r in rows {
                        match at.get(&r.id) {
                            Some(&i) => self.metrics[i] = r,
                            None => {
                                at.insert(r.id.clone(), self.metrics.len());
                                self.metrics.push(r);
                            }
                        }
                    }
                }
                Err(e) => {
                    self.metrics_problem.get_or_insert_with(|| e.to_string());
                }
            }
        }
    }

    /// The metrics parts the manifest names, oldest first (their names sort by generation).
    fn metrics_parts(&self) -> impl Iterator<Item = &str> {
        let mut parts: Vec<&str> = self
            .manifest
            .parts
            .iter()
            .map(String::as_str)
            .filter(|p| is_metrics_part(p))
            .collect();
        parts.sort_unstable();
        parts.into_iter()
    }

    /// Reads the metrics cache again when an import published metrics since it was read (a
    /// publish does not keep their rows in memory).
    pub fn reload_metrics(&mut self) {
        if self.metrics_behind {
            self.load_metrics();
        }
    }

    /// How many metrics parts wait to be folded into `metrics.parquet`.
    #[must_use]
    pub fn metrics_parts_count(&self) -> usize {
        self.metrics_parts().count()
    }

    /// The cached per-activity metrics (possibly stale or incomplete; see [`MetricsRow`]). After
    /// an import, without the rows it staged until [`Store::reload_metrics`].
    #[must_use]
    pub fn metrics(&self) -> &[MetricsRow] {
        &self.metrics
    }

    /// Why the metrics cache could not be read, if it could not.
    #[must_use]
    pub fn metrics_problem(&self) -> Option<&str> {
        self.metrics_problem.as_deref()
    }

    /// Replaces the cached metrics of the activities in `rows` and drops those of activities no
    /// longer in the store, writing `metrics.parquet` atomically.
    ///
    /// # Errors
    /// The store was opened read-only, or the write failed (the old table then stays).
    pub fn put_metrics(&mut self, rows: Vec<MetricsRow>) -> Result<(), StoreError> {
        if self._lock.is_none() {
            return Err(StoreError::ReadOnly {
                path: self.dir.clone(),
            });
        }
        // The parts are folded into the table below: their rows must be in it.
        self.reload_metrics();
        // Rows are moved, not copied: at the end of a large import they are tens of MB. On a
        // failed write the merged rows stay in memory; they are derived, and the file is as it was.
        let order: HashMap<&str, usize> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let mut merged: Vec<MetricsRow> = std::mem::take(&mut self.metrics);
        let fresh: HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        merged.retain(|m| order.contains_key(m.id.as_str()) && !fresh.contains(m.id.as_str()));
        drop(fresh);
        let mut rows = rows;
        rows.retain(|r| order.contains_key(r.id.as_str()));
        merged.append(&mut rows);
        merged.sort_by_key(|m| order.get(m.id.as_str()).copied().unwrap_or(usize::MAX));
        // Two rows for one id (a caller's duplicate): the later one wins, as a map would have it.
        merged.dedup_by(|later, earlier| {
            let same = later.id == earlier.id;
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
        drop(order);
        let written = self.write_metrics(&merged);
        self.metrics = merged;
        written?;
        self.metrics_problem = None;
        self.fold_metrics_parts()
    }

    /// Drops the cached metrics of the activities `ids` (to be computed again), writing
    /// `metrics.parquet` atomically.
    ///
    /// # Errors
    /// The store was opened read-only, or the write failed (the old table then stays).
    pub fn forget_metrics(&mut self, ids: &HashSet<String>) -> Result<(), StoreError> {
        self.reload_metrics();
        let before = self.metrics.len();
        self.metrics.retain(|m| !ids.contains(&m.id));
        if self.metrics.len() == before && self.metrics_parts_count() == 0 {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.metrics);
        self.put_metrics(rows)
    }

    /// Gives the types of the metrics columns: `example` is never written, but its JSON parts
    /// type the columns with the rows written, so a field no row has a value for yet still has
    /// its own type (without it, such a column is text: all the store can tell of a null).
    pub fn set_metrics_shape(&mut self, example: MetricsRow) {
        self.metrics_shape = Some(example);
    }

    /// Changes the cached metrics rows in place, in parallel: `change` returns whether it
    /// changed its row. Returns how many it changed; the next [`Store::put_metrics`] writes them.
    ///
    /// Re-anchoring every row of a large store through [`Store::put_metrics`] alone held each
    /// row twice, the stored one and its new one, at the end of an import (issue 7).
    pub fn update_metrics(&mut self, change: impl Fn(&mut MetricsRow) -> bool + Sync) -> usize {
        use rayon::prelude::*;
        self.metrics
            .par_iter_mut()
            .map(|m| usize::from(change(m)))
            .sum()
    }

    /// Drops the metrics parts from the store once `metrics.parquet` holds their rows. A crash
    /// before the manifest is written leaves them named: read over the new table, their rows
    /// are at worst stale, and recomputed.
    fn fold_metrics_parts(&mut self) -> Result<(), StoreError> {
        let folded: Vec<String> = self.metrics_parts().map(str::to_owned).collect();
        if folded.is_empty() {
            return Ok(());
        }
        let mut manifest = self.manifest.clone();
        manifest.parts.retain(|p| !folded.contains(p));
        self.write_manifest(&manifest)?;
        self.manifest = manifest;
        for rel in folded {
            // Unnamed now: a file that cannot be removed here is removed by the next writer.
            let _ = fs::remove_file(self.dir.join(rel));
        }
        Ok(())
    }

    fn write_metrics(&self, rows: &[MetricsRow]) -> Result<(), StoreError> {
        let staging = self.dir.join(STAGING);
        fs::create_dir_all(&staging).map_err(StoreError::io(&staging))?;
        let tmp = staging.join(METRICS);
        let layout = derived::Layout::of(rows, self.metrics_shape.as_ref())
            .map_err(StoreError::parquet(&tmp))?;
        tables::write_parquet_groups(&tmp, rows.len(), derived::GROUP_ROWS, |r| {
            derived::metrics_frame(&rows[r], &layout)
        })?;
        let path = self.dir.join(METRICS);
        fsutil::rename_durable(&tmp, &path).map_err(StoreError::io(&path))
    }
}
