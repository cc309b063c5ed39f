//! SEC — no production secrets on workstations.

pub mod prod_db_password_managed;
pub mod prod_iam_user_keys;
