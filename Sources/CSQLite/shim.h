// The only file in Vigil that includes SQLite's header. Static inline wrappers expose to Swift
// what it cannot import directly (e.g. the SQLITE_TRANSIENT destructor constant).
#ifndef VIGIL_CSQLITE_SHIM_H
#define VIGIL_CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLite copies bound text and blobs before the call returns.
static inline sqlite3_destructor_type vigil_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/// `sqlite3_db_config` for the options that take `(int, int *)`; the C function is variadic, which
/// Swift cannot call. Returns SQLite's result code; `*current` receives the setting afterwards.
static inline int vigil_sqlite_db_config_int(sqlite3 *db, int option, int value, int *current) {
    return sqlite3_db_config(db, option, value, current);
}

#endif
