//! The one query API: `query(sql).bind(..).fetch_*(conn)` /
//! `.execute(conn)`, rows read by column name ([`FromRow`], `from_row!`).
//! A statement runs on PostgreSQL (sqlx's native driver) or SQLite
//! (`rusqlite`: the writer thread's connection, see `writer.rs`, or the
//! read connections, [`Readers`]). The SQL text is the same for both (`$1`
//! placeholders are valid SQLite), so each query is written once.
//!
//! Why `rusqlite` for SQLite: on it a statement is a function call (a read
//! of a few indexed rows takes microseconds, right on the request's task),
//! where sqlx ran each SQLite connection on a thread of its own and every
//! statement was a round trip between threads (30–60 µs under load,
//! docs/PERFORMANCE.md).

use super::Db;
use crate::error::{AppError, AppResult};
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Column, Row as _, TypeInfo as _, ValueRef as _};
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A bound parameter. NULLs carry their type: PostgreSQL wants to know it.
#[derive(Debug, Clone)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}
/// Flags are 0/1 integers on both databases (see `db::IntBool`).
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(Some(i64::from(v)))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_owned()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}
impl From<&Option<String>> for Value {
    fn from(v: &Option<String>) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::Text(v.map(str::to_owned))
    }
}

/// Ids bind as their text and are read back from it.
macro_rules! text_ids {
    ($($t:ty),*) => {$(
        impl From<&$t> for Value {
            fn from(v: &$t) -> Self {
                Value::Text(Some(v.as_str().to_owned()))
            }
        }
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::from(&v)
            }
        }
        impl Decode for $t {
            fn decode(cell: &Cell, name: &str) -> AppResult<Self> {
                String::decode(cell, name).map(<$t>::new)
            }
        }
        /// An id alone in a row.
        impl FromRow for $t {
            fn from_row(row: &Row) -> AppResult<Self> {
                row.at(0)
            }
        }
    )*};
}
text_ids!(mpp_domain::tenancy::MallId, mpp_domain::visit::TicketId);

/// Where a statement runs.
pub enum Conn<'c> {
    /// A read outside any transaction: on SQLite one of the [`Readers`],
    /// on PostgreSQL a connection of the pool.
    Read(&'c Db),
    /// A PostgreSQL connection inside its transaction.
    Pg(&'c mut PgConnection),
    /// The SQLite writer's connection, inside its transaction.
    Lite(&'c mut rusqlite::Connection),
}

impl Conn<'_> {
    pub fn dialect(&self) -> super::Dialect {
        match self {
            Conn::Read(db) => db.dialect,
            Conn::Pg(_) => super::Dialect::Postgres,
            Conn::Lite(_) => super::Dialect::Sqlite,
        }
    }

    /// Runs statements separated by `;` (a migration), in the transaction.
    pub async fn batch(&mut self, text: &str) -> AppResult<()> {
        match self {
            Conn::Pg(c) => pg_batch(c, text).await?,
            Conn::Lite(c) => c.execute_batch(text)?,
            Conn::Read(_) => return Err(AppError::Internal(anyhow::anyhow!("a batch outside a transaction"))),
        }
        Ok(())
    }

    /// Whether `table` has `column` (for migrations that add one to old databases).
    pub async fn has_column(&mut self, table: &str, column: &str) -> AppResult<bool> {
        let sql = match self {
            Conn::Pg(_) => {
                "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema()
                 AND table_name = $1 AND column_name = $2"
            }
            _ => "SELECT COUNT(*) FROM pragma_table_info($1) WHERE name = $2",
        };
        Ok(query(sql).bind(table).bind(column).fetch_one::<i64>(self).await? > 0)
    }
}

/// A statement and its parameters; `$n` is the n-th `bind`.
pub struct Query<'q> {
    sql: Cow<'q, str>,
    args: Vec<Value>,
}

/// A statement: a `&'static str`, or a `String` built at run time (which
/// the query then owns, so it can be handed to [`Db::run`]).
pub fn query<'q>(sql: impl Into<Cow<'q, str>>) -> Query<'q> {
    Query { sql: sql.into(), args: Vec::new() }
}

/// A row's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

/// A result row, read by column name.
pub struct Row {
    names: Arc<[String]>,
    cells: Vec<Cell>,
}

impl Row {
    /// Where column `name` is in this row's result.
    pub fn position(&self, name: &str) -> AppResult<usize> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no column {name} in the result")))
    }

    fn cell(&self, name: &str) -> AppResult<&Cell> {
        Ok(&self.cells[self.position(name)?])
    }

    /// The value of column `name`, decoded as `T`.
    pub fn get<T: Decode>(&self, name: &str) -> AppResult<T> {
        T::decode(self.cell(name)?, name)
    }

    /// The value of the `i`-th column (for tuples and single values).
    pub fn at<T: Decode>(&self, i: usize) -> AppResult<T> {
        let cell =
            self.cells.get(i).ok_or_else(|| AppError::Internal(anyhow::anyhow!("no column {i} in the result")))?;
        T::decode(cell, self.names.get(i).map_or("?", String::as_str))
    }

    pub fn int(&self, name: &str) -> AppResult<i64> {
        self.opt_int(name)?.ok_or_else(|| unexpected(name, "NULL"))
    }

    pub fn opt_int(&self, name: &str) -> AppResult<Option<i64>> {
        as_int(self.cell(name)?, name)
    }

    pub fn flag(&self, name: &str) -> AppResult<bool> {
        Ok(self.int(name)? != 0)
    }

    pub fn text(&self, name: &str) -> AppResult<String> {
        self.opt_text(name)?.ok_or_else(|| unexpected(name, "NULL"))
    }

    pub fn opt_text(&self, name: &str) -> AppResult<Option<String>> {
        match self.cell(name)? {
            Cell::Null => Ok(None),
            Cell::Text(s) => Ok(Some(s.clone())),
            other => Err(unexpected(name, &format!("{other:?}"))),
        }
    }
}

fn as_int(cell: &Cell, name: &str) -> AppResult<Option<i64>> {
    match cell {
        Cell::Null => Ok(None),
        Cell::Int(i) => Ok(Some(*i)),
        other => Err(unexpected(name, &format!("{other:?}"))),
    }
}

fn unexpected(name: &str, got: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("column {name}: unexpected {got}"))
}

/// A column's value as a Rust type; a NULL or another type where one is
/// not expected is an error, never a default.
pub trait Decode: Sized {
    fn decode(cell: &Cell, name: &str) -> AppResult<Self>;
}

impl Decode for Option<i64> {
    fn decode(cell: &Cell, name: &str) -> AppResult<Self> {
        as_int(cell, name)
    }
}

impl Decode for Option<String> {
    fn decode(cell: &Cell, name: &str) -> AppResult<Self> {
        match cell {
            Cell::Null => Ok(None),
            Cell::Text(s) => Ok(Some(s.clone())),
            other => Err(unexpected(name, &format!("{other:?}"))),
        }
    }
}

impl Decode for Option<f64> {
    fn decode(cell: &Cell, name: &str) -> AppResult<Self> {
        match cell {
            Cell::Null => Ok(None),
            Cell::Real(v) => Ok(Some(*v)),
            // SQLite keeps a REAL with no fraction as an integer.
            Cell::Int(v) => Ok(Some(*v as f64)),
            other => Err(unexpected(name, &format!("{other:?}"))),
        }
    }
}

/// Flags are 0/1 integers on both databases.
impl Decode for Option<bool> {
    fn decode(cell: &Cell, name: &str) -> AppResult<Self> {
        Ok(as_int(cell, name)?.map(|v| v != 0))
    }
}

macro_rules! not_null {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn decode(cell: &Cell, name: &str) -> AppResult<Self> {
                Option::<$t>::decode(cell, name)?.ok_or_else(|| unexpected(name, "NULL"))
            }
        }
    )*};
}
not_null!(i64, String, f64, bool);

/// Closed sets (statuses, kinds) read from a column: a value the code does
/// not know is an error, loudly, never a fall-back to some other value.
macro_rules! choice {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn decode(cell: &Cell, name: &str) -> AppResult<Self> {
                let text = String::decode(cell, name)?;
                <$t>::parse(&text).ok_or_else(|| unexpected(name, &format!("the unknown value {text:?}")))
            }
        }
    )*};
}
choice!(
    mpp_domain::visit::TicketStatus,
    mpp_domain::visit::Priority,
    mpp_domain::visit::IssuedBy,
    mpp_domain::visit::CounterStatus,
    mpp_domain::booking::AppointmentStatus,
    mpp_domain::application::Status,
    mpp_domain::application::StepKind,
    mpp_domain::application::StepRole,
    mpp_domain::application::StepStatus,
    mpp_domain::profile::Answer,
    mpp_domain::document::Kind,
    mpp_domain::rights::CorrectionStatus
);

/// A type read from a result row.
pub trait FromRow: Sized {
    fn from_row(row: &Row) -> AppResult<Self>;

    /// Every row of a result. Types declared with [`from_row!`] find each
    /// of their columns once for the whole result (a missing one is an
    /// error then, not a name looked up again in every row).
    fn from_rows(rows: &[Row]) -> AppResult<Vec<Self>> {
        rows.iter().map(Self::from_row).collect()
    }
}

/// A single column (a count, an id): the first of the row.
macro_rules! single {
    ($($t:ty),*) => {$(
        impl FromRow for $t {
            fn from_row(row: &Row) -> AppResult<Self> {
                row.at(0)
            }
        }
    )*};
}
single!(i64, Option<i64>, String, Option<String>, bool);

/// A few columns by position.
macro_rules! tuple {
    ($(($($t:ident $i:tt),*)),*) => {$(
        impl<$($t: Decode),*> FromRow for ($($t,)*) {
            fn from_row(row: &Row) -> AppResult<Self> {
                Ok(($(row.at::<$t>($i)?,)*))
            }
        }
    )*};
}
tuple!((A 0), (A 0, B 1), (A 0, B 1, C 2), (A 0, B 1, C 2, D 3), (A 0, B 1, C 2, D 3, E 4));

/// `FromRow` for a struct whose fields are named as its columns, each
/// read with [`Decode`]: `from_row!(Agency { id, code, name_id });`. A
/// whole result finds the type's columns once, then reads every row by
/// position.
macro_rules! from_row {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl $crate::db::sql::FromRow for $ty {
            fn from_row(r: &$crate::db::sql::Row) -> $crate::error::AppResult<Self> {
                Self::from_rows(std::slice::from_ref(r))?
                    .pop()
                    .ok_or_else(|| $crate::error::AppError::Internal(anyhow::anyhow!("no row")))
            }

            fn from_rows(rows: &[$crate::db::sql::Row]) -> $crate::error::AppResult<Vec<Self>> {
                let Some(first) = rows.first() else { return Ok(Vec::new()) };
                // Each field's position in this result.
                $(let $field = first.position(stringify!($field))?;)*
                rows.iter().map(|r| Ok($ty { $($field: r.at($field)?,)* })).collect()
            }
        }
    };
}
pub(crate) use from_row;

impl FromRow for Row {
    fn from_row(row: &Row) -> AppResult<Self> {
        Ok(Row { names: row.names.clone(), cells: row.cells.clone() })
    }
}

impl<'q> Query<'q> {
    pub fn bind(mut self, v: impl Into<Value>) -> Self {
        self.args.push(v.into());
        self
    }

    /// Binds each value in turn (for an IN list).
    pub fn bind_all<V: Into<Value>>(mut self, vs: impl IntoIterator<Item = V>) -> Self {
        self.args.extend(vs.into_iter().map(Into::into));
        self
    }

    /// Runs a statement that returns no rows; how many rows it changed.
    pub async fn execute(self, conn: &mut Conn<'_>) -> AppResult<u64> {
        match conn {
            Conn::Read(db) => match (db.readers(), db.pool()) {
                (Some(r), _) => r.with(|c| lite_execute(c, &self.sql, &self.args)),
                (None, Some(pool)) => Ok(self.sqlx().execute(pool).await?.rows_affected()),
                (None, None) => Err(no_backend()),
            },
            Conn::Pg(c) => Ok(self.sqlx().execute(&mut **c).await?.rows_affected()),
            Conn::Lite(c) => Ok(lite_execute(c, &self.sql, &self.args)?),
        }
    }

    pub async fn fetch_all<T: FromRow>(self, conn: &mut Conn<'_>) -> AppResult<Vec<T>> {
        let rows = match conn {
            Conn::Read(db) => match (db.readers(), db.pool()) {
                (Some(r), _) => r.with(|c| lite_rows(c, &self.sql, &self.args))?,
                (None, Some(pool)) => from_pg(self.sqlx().fetch_all(pool).await?)?,
                (None, None) => return Err(no_backend()),
            },
            Conn::Pg(c) => from_pg(self.sqlx().fetch_all(&mut **c).await?)?,
            Conn::Lite(c) => lite_rows(c, &self.sql, &self.args)?,
        };
        T::from_rows(&rows)
    }

    pub async fn fetch_optional<T: FromRow>(self, conn: &mut Conn<'_>) -> AppResult<Option<T>> {
        Ok(self.fetch_all(conn).await?.into_iter().next())
    }

    pub async fn fetch_one<T: FromRow>(self, conn: &mut Conn<'_>) -> AppResult<T> {
        self.fetch_optional(conn).await?.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no row returned")))
    }

    fn sqlx(&self) -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments> {
        let mut q = sqlx::query(&self.sql);
        for arg in self.args.iter().cloned() {
            q = match arg {
                Value::Int(v) => q.bind(v),
                Value::Text(v) => q.bind(v),
            };
        }
        q
    }
}

/// Boxed with its lifetimes spelled out: sqlx's executor bounds are not
/// general enough for a future inside `Db::transact`'s closure otherwise.
fn pg_batch<'a>(conn: &'a mut PgConnection, text: &'a str) -> futures_util::future::BoxFuture<'a, sqlx::Result<()>> {
    Box::pin(async move {
        sqlx::Executor::execute(conn, text).await?;
        Ok(())
    })
}

fn no_backend() -> AppError {
    AppError::Internal(anyhow::anyhow!("a database without a connection"))
}

/// PostgreSQL's rows as [`Row`]s. Its column types map onto the four
/// cells; one it cannot (a NUMERIC, say) is an error naming the column.
fn from_pg(rows: Vec<PgRow>) -> AppResult<Vec<Row>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let names: Arc<[String]> = first.columns().iter().map(|c| c.name().to_owned()).collect();
    rows.iter()
        .map(|r| {
            let cells = (0..names.len()).map(|i| pg_cell(r, i, &names[i])).collect::<AppResult<Vec<Cell>>>()?;
            Ok(Row { names: names.clone(), cells })
        })
        .collect()
}

fn pg_cell(row: &PgRow, i: usize, name: &str) -> AppResult<Cell> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Cell::Null);
    }
    let kind = raw.type_info().name().to_owned();
    Ok(match kind.as_str() {
        "INT8" => Cell::Int(row.try_get::<i64, _>(i)?),
        "INT4" => Cell::Int(i64::from(row.try_get::<i32, _>(i)?)),
        "INT2" => Cell::Int(i64::from(row.try_get::<i16, _>(i)?)),
        "BOOL" => Cell::Int(i64::from(row.try_get::<bool, _>(i)?)),
        "FLOAT8" => Cell::Real(row.try_get::<f64, _>(i)?),
        "FLOAT4" => Cell::Real(f64::from(row.try_get::<f32, _>(i)?)),
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Cell::Text(row.try_get::<String, _>(i)?),
        other => return Err(unexpected(name, &format!("the PostgreSQL type {other}"))),
    })
}

/// Binds `$n` by name: SQLite numbers named parameters by first appearance.
fn lite_bind(stmt: &mut rusqlite::Statement<'_>, args: &[Value]) -> rusqlite::Result<()> {
    for i in 1..=stmt.parameter_count() {
        let n = stmt.parameter_name(i).and_then(|name| name.strip_prefix('$')).and_then(|n| n.parse::<usize>().ok());
        let Some(arg) = n.and_then(|n| args.get(n.wrapping_sub(1))) else {
            return Err(rusqlite::Error::InvalidParameterName(stmt.parameter_name(i).unwrap_or("?").to_owned()));
        };
        match arg {
            Value::Int(v) => stmt.raw_bind_parameter(i, v)?,
            Value::Text(v) => stmt.raw_bind_parameter(i, v)?,
        }
    }
    Ok(())
}

fn lite_execute(conn: &rusqlite::Connection, sql: &str, args: &[Value]) -> rusqlite::Result<u64> {
    let mut stmt = conn.prepare_cached(sql)?;
    lite_bind(&mut stmt, args)?;
    Ok(stmt.raw_execute()? as u64)
}

fn lite_rows(conn: &rusqlite::Connection, sql: &str, args: &[Value]) -> rusqlite::Result<Vec<Row>> {
    use rusqlite::types::ValueRef;
    let mut stmt = conn.prepare_cached(sql)?;
    lite_bind(&mut stmt, args)?;
    let names: Arc<[String]> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut cells = Vec::with_capacity(names.len());
        for i in 0..names.len() {
            cells.push(match r.get_ref(i)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(v) => Cell::Int(v),
                ValueRef::Real(v) => Cell::Real(v),
                ValueRef::Text(t) | ValueRef::Blob(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
            });
        }
        out.push(Row { names: names.clone(), cells });
    }
    Ok(out)
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::Internal(e.into())
    }
}

/// SQLite connections for reads that run on the request's own task (WAL:
/// they never wait for the writer). Opened on demand, kept when returned.
pub struct Readers {
    file: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

/// Prepared statements kept per connection: the visit has a few dozen
/// distinct ones, and rusqlite's default (16) would prepare them again and again.
pub const STATEMENT_CACHE: usize = 64;

/// Idle read connections kept at most (more are opened under a burst).
const IDLE_READERS: usize = 8;

impl Readers {
    pub fn new(file: PathBuf) -> Readers {
        Readers { file, idle: Mutex::new(Vec::new()) }
    }

    fn with<T>(&self, read: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>) -> AppResult<T> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let c = rusqlite::Connection::open_with_flags(&self.file, flags)?;
                c.execute_batch("PRAGMA busy_timeout = 10000; PRAGMA cache_size = -8000;")?;
                c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
                c
            }
        };
        let result = read(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
        Ok(result?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lite() -> rusqlite::Connection {
        let c = rusqlite::Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        c.execute_batch("CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT, note TEXT)").unwrap_or_else(|e| panic!("{e}"));
        c
    }

    #[test]
    fn a_status_the_code_does_not_know_is_an_error_not_a_default() {
        use mpp_domain::booking::AppointmentStatus;
        use mpp_domain::visit::{CounterStatus, Priority, TicketStatus};
        let text = |s: &str| Cell::Text(s.to_owned());
        assert_eq!(Priority::decode(&text("elderly"), "priority").ok(), Some(Priority::Elderly));
        assert!(Priority::decode(&text("vip"), "priority").is_err());
        assert!(Priority::decode(&Cell::Null, "priority").is_err());
        assert!(TicketStatus::decode(&text("Waiting"), "status").is_err());
        assert!(CounterStatus::decode(&text("open "), "status").is_err());
        assert!(AppointmentStatus::decode(&text(""), "status").is_err());
    }

    #[derive(Debug, PartialEq)]
    struct Pair {
        id: String,
        n: Option<i64>,
    }
    from_row!(Pair { id, n });

    /// A result reads every row by the positions its first row gave, in
    /// whatever order the statement named the columns; a column the type
    /// needs and the result lacks fails the whole read.
    #[tokio::test]
    async fn a_type_finds_its_columns_once_per_result() {
        let mut c = lite();
        let conn = &mut Conn::Lite(&mut c);
        query("INSERT INTO t (id, n, note) VALUES ('a', 1, 'x'), ('b', NULL, 'y')").execute(conn).await.ok();
        let rows: Vec<Pair> = query("SELECT note, n, id FROM t ORDER BY id").fetch_all(conn).await.unwrap_or_default();
        assert_eq!(rows, [Pair { id: "a".into(), n: Some(1) }, Pair { id: "b".into(), n: None }]);
        let missing = query("SELECT id, note FROM t").fetch_all::<Pair>(conn).await;
        assert!(missing.is_err_and(|e| e.to_string().contains("no column n")));
        let none: Vec<Pair> = query("SELECT id, n FROM t WHERE id = 'z'").fetch_all(conn).await.unwrap_or_default();
        assert!(none.is_empty());
    }

    #[tokio::test]
    async fn placeholders_bind_by_number_in_any_order_and_repeat() {
        let mut c = lite();
        let conn = &mut Conn::Lite(&mut c);
        // $3 comes first in the text and $1 twice: SQLite numbers them by first appearance.
        let n = query("INSERT INTO t (note, id, n) VALUES ($3, $1, $2 + length($1))")
            .bind("a")
            .bind(10)
            .bind(Option::<String>::None)
            .execute(conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n, 1);
        let row: Row = query("SELECT n, note, id FROM t WHERE id = $1")
            .bind("a")
            .fetch_one(conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(row.int("n").ok(), Some(11));
        assert_eq!(row.opt_text("note").ok(), Some(None));
        assert_eq!(row.text("id").ok().as_deref(), Some("a"));
        assert!(row.text("note").is_err(), "a NULL is not a text");
        assert!(row.int("missing").is_err());
    }

    #[tokio::test]
    async fn a_parameter_without_a_value_is_an_error_not_a_null() {
        let mut c = lite();
        let r = query("SELECT COUNT(*) FROM t WHERE id = $2")
            .bind("only one")
            .fetch_one::<i64>(&mut Conn::Lite(&mut c))
            .await;
        assert!(r.is_err());
    }

    struct Note {
        id: String,
        n: i64,
        note: Option<String>,
        flag: bool,
    }

    from_row!(Note { id, n, note, flag });

    #[tokio::test]
    async fn rows_map_by_name_and_refuse_what_does_not_fit() {
        let mut c = lite();
        let conn = &mut Conn::Lite(&mut c);
        query("INSERT INTO t (id, n, note) VALUES ('a', 1, NULL), ('b', NULL, 'x')")
            .execute(conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // Columns in another order than the fields: read by name.
        let a: Note = query("SELECT n AS flag, note, n, id FROM t WHERE id = 'a'")
            .fetch_one(conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((a.id.as_str(), a.n, a.note, a.flag), ("a", 1, None, true));
        // A NULL where the field cannot hold one, a text for a number, a
        // missing column: errors, never a default.
        let null = query("SELECT n AS flag, note, n, id FROM t WHERE id = 'b'").fetch_one::<Note>(conn).await;
        assert!(null.is_err());
        let text = query("SELECT 1 AS flag, note, note AS n, id FROM t WHERE id = 'b'").fetch_one::<Note>(conn).await;
        assert!(text.is_err());
        let missing = query("SELECT id, n, note FROM t WHERE id = 'a'").fetch_one::<Note>(conn).await;
        assert!(missing.is_err());
        // Tuples and single values by position.
        let pair: (String, Option<String>) =
            query("SELECT id, note FROM t WHERE id = 'b'").fetch_one(conn).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pair, ("b".to_string(), Some("x".to_string())));
        let count: i64 = query("SELECT COUNT(*) FROM t").fetch_one(conn).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(count, 2);
    }

    #[tokio::test]
    async fn a_broken_constraint_says_which() {
        let mut c = lite();
        c.execute_batch(
            "PRAGMA foreign_keys = ON; CREATE TABLE parent (id TEXT PRIMARY KEY);
             CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT NOT NULL REFERENCES parent (id))",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let conn = &mut Conn::Lite(&mut c);
        query("INSERT INTO t (id) VALUES ('a')").execute(conn).await.unwrap_or_else(|e| panic!("{e}"));
        let again = query("INSERT INTO t (id) VALUES ('a')").execute(conn).await.err();
        assert_eq!(again.as_ref().and_then(crate::db::violation), Some(crate::db::Violation::Unique));
        let orphan = query("INSERT INTO child (id, parent) VALUES ('c', 'nobody')").execute(conn).await.err();
        assert_eq!(orphan.as_ref().and_then(crate::db::violation), Some(crate::db::Violation::ForeignKey));
        let other = query("SELECT no_such_column FROM t").execute(conn).await.err();
        assert_eq!(other.as_ref().and_then(crate::db::violation), None);
    }
}
