#include "db/sql_time.h"

namespace db {

std::string sqlTimestamp(std::string_view column) {
    return "to_char(" + std::string(column) + ", 'YYYY-MM-DD\"T\"HH24:MI:SS.US')";
}

std::string apiTimestamp(std::string text) {
    if (text.size() > 7 && text.compare(text.size() - 7, 7, ".000000") == 0) text.resize(text.size() - 7);
    return text;
}

}  // namespace db
