// The only file in Vigil that includes SQLite's header. Static inline wrappers expose to Swift
// what it cannot import directly (e.g. the SQLITE_TRANSIENT destructor constant).
#ifndef VIGIL_CSQLITE_SHIM_H
#define VIGIL_CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLite copies bound text and blobs before the call returns.
static inline sqlite3_destructor_type vigil_sqlite_transient(void) { return SQLITE_TRANSIENT; }

#endif
