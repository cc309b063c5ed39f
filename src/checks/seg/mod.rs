//! SEG — segregation.

pub mod nonprod_to_prod_route;
pub mod nonprod_to_prod_trust;
pub mod public_prod_database;
pub mod separate_accounts;
