//! The opportunities read from a file: [`Opportunities`], one row per point or grid cell, and
//! [`Loaded`], them with the totals of the file and what lay outside the grid.

use crate::geo::grid::Grid;

/// Opportunities (people, jobs, schools…) at points or grid cells, one row each.
///
/// Rows are points read from a CSV, or the cells of a grid (then `cells` holds each row's cell
/// index in the grid, `ids` its cell id `r{row}c{col}` and `lonlat` its centre). `columns` are
/// the opportunity counts, one `(name, values)` per column with one value per row, each
/// finite and non-negative (fractional after spreading polygons over cells).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Opportunities {
    /// Unique ids of the rows.
    pub ids: Vec<String>,
    /// WGS84 longitude and latitude of each row (a cell's centre for cells), degrees.
    pub lonlat: Vec<(f64, f64)>,
    /// For rows that are grid cells, the cell index of each in its grid.
    pub cells: Option<Vec<u32>>,
    /// Opportunity columns: name and one value per row.
    pub columns: Vec<(String, Vec<f64>)>,
}

impl Opportunities {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The values of the column named `name`.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The column names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The total of each column.
    pub fn totals(&self) -> Vec<f64> {
        self.columns.iter().map(|(_, v)| v.iter().sum()).collect()
    }

    /// Every cell of `grid`, in cell order, with the given columns (each of `grid.len()`
    /// values).
    pub fn on_grid(grid: &Grid, columns: Vec<(String, Vec<f64>)>) -> Opportunities {
        debug_assert!(columns.iter().all(|(_, v)| v.len() == grid.len()));
        Opportunities {
            ids: (0..grid.len()).map(|i| grid.id(i)).collect(),
            lonlat: (0..grid.len()).map(|i| grid.centroid(i)).collect(),
            cells: Some((0..grid.len() as u32).collect()),
            columns,
        }
    }

    /// Only the rows where some column is above zero, in the same order (the destinations
    /// worth propagating to).
    pub fn nonzero(&self) -> Opportunities {
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| self.columns.iter().any(|(_, v)| v[i] > 0.0))
            .collect();
        Opportunities {
            ids: keep.iter().map(|&i| self.ids[i].clone()).collect(),
            lonlat: keep.iter().map(|&i| self.lonlat[i]).collect(),
            cells: self
                .cells
                .as_ref()
                .map(|c| keep.iter().map(|&i| c[i]).collect()),
            columns: self
                .columns
                .iter()
                .map(|(n, v)| (n.clone(), keep.iter().map(|&i| v[i]).collect()))
                .collect(),
        }
    }

    /// The rows summed into the cells of `grid` (every cell, in cell order; a point on a
    /// cell's west or south edge counts in that cell), with what falls outside the grid per
    /// column and how many rows that is.
    pub fn to_grid(&self, grid: &Grid) -> (Opportunities, Vec<f64>, usize) {
        let mut cols: Vec<Vec<f64>> = vec![vec![0.0; grid.len()]; self.columns.len()];
        let mut outside = vec![0.0; self.columns.len()];
        let mut n_outside = 0;
        for (i, &(lon, lat)) in self.lonlat.iter().enumerate() {
            match grid.cell_at(lon, lat) {
                Some(cell) => {
                    for (k, (_, v)) in self.columns.iter().enumerate() {
                        cols[k][cell] += v[i];
                    }
                }
                None => {
                    n_outside += 1;
                    for (k, (_, v)) in self.columns.iter().enumerate() {
                        outside[k] += v[i];
                    }
                }
            }
        }
        let columns = self
            .columns
            .iter()
            .zip(cols)
            .map(|((n, _), v)| (n.clone(), v))
            .collect();
        (Opportunities::on_grid(grid, columns), outside, n_outside)
    }
}

/// Opportunities as loaded, with what the file held and what was left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The opportunities: the file's points, or every cell of the grid polygons were spread
    /// over.
    pub opportunities: Opportunities,
    /// Total of each column in the file.
    pub totals: Vec<f64>,
    /// Part of each column's total that lies outside the grid and was left out (zero for
    /// points).
    pub outside: Vec<f64>,
}
