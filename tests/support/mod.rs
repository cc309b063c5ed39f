pub mod fake;
pub mod http;
pub mod moto;
pub mod proxy;
