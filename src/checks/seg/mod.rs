//! SEG — segregation.

pub mod public_prod_database;
pub mod separate_accounts;
