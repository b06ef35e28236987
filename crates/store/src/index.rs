//! The export index kept in the store (`export_index.parquet`, issue 20 item 7): what an
//! export's `activities.csv` or summarized activities said of its activities, so it applies
//! whether the index is imported before its files, with them, or after them.
//!
//! The activities table keeps what each file said; the index is laid over the rows when the
//! store is read ([`Store::apply_index`]): a row whose file named no sport (or whose sport was
//! guessed) takes the index's, and a row without a name takes its name.

use hrdrift_ingest::export_index::ExportIndex;
use hrdrift_ingest::{SPORT_FROM_INDEX, may_adopt_sport};

use super::*;

pub(crate) const EXPORT_INDEX: &str = "export_index.parquet";

impl Store {
    /// The export index the store holds.
    #[must_use]
    pub fn export_index(&self) -> &ExportIndex {
        &self.index
    }

    /// The export index the store in `dir` holds, read alone (without opening the store):
    /// what `show FILE` needs of it. Empty where there is none.
    ///
    /// # Errors
    /// The index table exists but cannot be read.
    pub fn read_export_index(dir: &Path) -> Result<ExportIndex, StoreError> {
        let path = dir.join(EXPORT_INDEX);
        Ok(match read_table(&path)? {
            Some(df) => ExportIndex::from_entries(
                tables::index_from_frame(&df).map_err(StoreError::parquet(&path))?,
            ),
            None => ExportIndex::default(),
        })
    }

    pub(crate) fn load_index(&mut self) -> Result<(), StoreError> {
        self.index = Self::read_export_index(&self.dir)?;
        Ok(())
    }

    /// Lays the stored index over the rows in memory; returns the ids whose sport it changed.
    pub(crate) fn apply_index(&mut self) -> HashSet<String> {
        let mut changed = HashSet::new();
        if self.index.is_empty() {
            return changed;
        }
        for r in &mut self.rows {
            let Some(e) = self.index.lookup(&r.source, Some(r.start_ms)) else {
                continue;
            };
            if r.name.is_none() {
                r.name.clone_from(&e.name);
            }
            let Some(sport) = e.sport.as_deref() else {
                continue;
            };
            let (file_sport, file_source) = match &r.stored_sport {
                Some((s, src)) => (s.clone(), src.clone()),
                None => (r.sport.clone(), r.sport_source.clone()),
            };
            // Stored with this sport from the index already (it was there at import).
            let as_stored = file_sport.as_deref() == Some(sport)
                && file_source.as_deref() == Some(SPORT_FROM_INDEX);
            if as_stored || !may_adopt_sport(file_sport.as_deref(), file_source.as_deref()) {
                continue;
            }
            if r.sport.as_deref() != Some(sport)
                || r.sport_source.as_deref() != Some(SPORT_FROM_INDEX)
            {
                changed.insert(r.id.clone());
            }
            r.stored_sport.get_or_insert((file_sport, file_source));
            r.sport = Some(sport.to_owned());
            r.sport_source = Some(SPORT_FROM_INDEX.to_owned());
        }
        changed
    }

    fn named_rows(&self) -> usize {
        self.rows.iter().filter(|r| r.name.is_some()).count()
    }

    /// Adds `newer` to the stored index (its entries replacing those naming the same file or
    /// activity), writes it, and lays it over the stored rows. The metrics of the activities
    /// whose sport it changed are dropped, to be computed again for their sport. Returns how
    /// many stored activities took a sport or a name from it.
    ///
    /// # Errors
    /// The store was opened read-only, or a write failed (the stored index is then as it was).
    pub fn put_index(&mut self, newer: &ExportIndex) -> Result<IndexApplied, StoreError> {
        if self._lock.is_none() {
            return Err(StoreError::ReadOnly {
                path: self.dir.clone(),
            });
        }
        if newer.is_empty() {
            return Ok(IndexApplied::default());
        }
        let merged = self.index.updated_by(newer);
        let staging = self.dir.join(STAGING);
        fs::create_dir_all(&staging).map_err(StoreError::io(&staging))?;
        let tmp = staging.join(EXPORT_INDEX);
        let mut df = tables::index_frame(merged.entries()).map_err(StoreError::parquet(&tmp))?;
        tables::write_parquet(&mut df, &tmp)?;
        let path = self.dir.join(EXPORT_INDEX);
        fsutil::rename_durable(&tmp, &path).map_err(StoreError::io(&path))?;
        // The index only fills names in: the rows named after it less those named before.
        let named_before = self.named_rows();
        self.index = merged;
        let changed = self.apply_index();
        let named = self.named_rows() - named_before;
        if !changed.is_empty() {
            self.forget_metrics(&changed)?;
        }
        Ok(IndexApplied {
            sports: changed.len(),
            names: named,
        })
    }
}

/// What [`Store::put_index`] changed of the stored activities.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct IndexApplied {
    /// Activities that took their sport from the index (their file named none).
    pub sports: usize,
    /// Activities that took their name from it.
    pub names: usize,
}
