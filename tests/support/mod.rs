pub mod fake;
pub mod moto;
pub mod proxy;
