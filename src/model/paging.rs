//! Paging: the numbered page the console shows over BI's `skip` + `page_size` (BI's own answer is
//! `bi::wire::BiPage`).

use serde::{Deserialize, Serialize};

/// BI's page-size ceiling for every list call.
pub const MAX_PAGE_SIZE: u32 = 200;
/// BI's page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// A page of a list as the console shows it: numbered pages over BI's `skip` + `page_size`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageView<T> {
    pub items: Vec<T>,
    pub total: u64,
    /// 1-based page number.
    pub page: u32,
    pub size: u32,
}

impl<T> PageView<T> {
    /// "1–25 of 63"; "0 of 0" for an empty list.
    pub fn range_label(&self) -> String {
        range_label(self.page, self.size, self.items.len(), self.total)
    }

    pub fn last_page(&self) -> u32 {
        last_page(self.total, self.size)
    }

    /// The same page with each item turned into another.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> PageView<U> {
        PageView {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            size: self.size,
        }
    }
}

pub fn range_label(page: u32, size: u32, shown: usize, total: u64) -> String {
    if shown == 0 {
        return format!("0 of {total}");
    }
    let first = u64::from(page.saturating_sub(1)) * u64::from(size) + 1;
    let last = first + shown as u64 - 1;
    format!("{first}\u{2013}{last} of {total}")
}

pub fn last_page(total: u64, size: u32) -> u32 {
    let size = u64::from(size.max(1));
    (total.div_ceil(size)).max(1).min(u64::from(u32::MAX)) as u32
}

/// Rows-per-page choices the console offers.
pub const PAGE_SIZES: [u32; 4] = [25, 50, 100, 200];
pub const DEFAULT_CONSOLE_PAGE_SIZE: u32 = 25;

/// Clamps a page size from a URL to one BI accepts.
pub fn clamp_page_size(size: Option<u32>) -> u32 {
    match size {
        None | Some(0) => DEFAULT_CONSOLE_PAGE_SIZE,
        Some(n) => n.min(MAX_PAGE_SIZE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_labels() {
        assert_eq!(range_label(1, 25, 25, 63), "1\u{2013}25 of 63");
        assert_eq!(range_label(3, 25, 13, 63), "51\u{2013}63 of 63");
        assert_eq!(range_label(1, 25, 0, 0), "0 of 0");
        assert_eq!(last_page(63, 25), 3);
        assert_eq!(last_page(0, 25), 1);
        assert_eq!(last_page(50, 25), 2);
    }

    #[test]
    fn page_sizes_are_clamped() {
        assert_eq!(clamp_page_size(None), 25);
        assert_eq!(clamp_page_size(Some(0)), 25);
        assert_eq!(clamp_page_size(Some(50)), 50);
        assert_eq!(clamp_page_size(Some(5000)), 200);
    }
}
