//! Opening hours and the working-day calendar: national holidays and cuti
//! bersama shipped as data (`data/holidays-id.csv`, generated from the PyPI
//! package `holidays`), copied into each mall and editable there.

pub mod admin;
pub mod national;
pub mod store;
