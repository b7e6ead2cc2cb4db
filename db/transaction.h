#pragma once

#include <soci/soci.h>

namespace db {

// Begins a transaction on construction and rolls it back on destruction
// unless commit() was called. One per request or job task.
class Transaction {
public:
    explicit Transaction(soci::session& sql) : sql_(sql) { sql_.begin(); }
    ~Transaction() {
        if (!done_) {
            try {
                sql_.rollback();
            } catch (...) {
                // A broken connection rolls back by itself on the server.
            }
        }
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void commit() {
        sql_.commit();
        done_ = true;
    }

private:
    soci::session& sql_;
    bool done_ = false;
};

}  // namespace db
