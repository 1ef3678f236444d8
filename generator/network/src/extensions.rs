//! The extensions every `maillage` command runs on top of Zola's content
//! model: each one reads part of the site (domain data, theme assets) and
//! contributes pages and files. One line per extension.

use std::sync::Arc;

use crate::site::SiteExtension;

/// The extensions of a Maillage site, in the order they run.
pub fn standard() -> Vec<Arc<dyn SiteExtension>> {
    vec![
        Arc::new(crate::pages::DataPages::new()),
        Arc::new(crate::vendor::VendorAssets),
    ]
}
