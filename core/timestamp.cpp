#include "core/timestamp.h"

#include <cstdio>

namespace core {

namespace {

using namespace std::chrono;

bool isDigit(char ch) {
    return ch >= '0' && ch <= '9';
}

// Cursor over the input with helpers to read fixed-width digit groups.
class Scanner {
public:
    explicit Scanner(std::string_view text) : text_(text) {}

    bool atEnd() const { return pos_ == text_.size(); }
    char peek() const { return atEnd() ? '\0' : text_[pos_]; }

    bool consume(char expected) {
        if (peek() != expected) {
            return false;
        }
        ++pos_;
        return true;
    }

    // Number of consecutive digits at the cursor.
    std::size_t digitRun() const {
        std::size_t n = 0;
        while (pos_ + n < text_.size() && isDigit(text_[pos_ + n])) {
            ++n;
        }
        return n;
    }

    // Reads between min_digits and max_digits digits, as many as present.
    std::optional<int> readNumber(std::size_t min_digits, std::size_t max_digits) {
        const std::size_t available = digitRun();
        if (available < min_digits) {
            return std::nullopt;
        }
        const std::size_t count = available < max_digits ? available : max_digits;
        int value = 0;
        for (std::size_t i = 0; i < count; ++i) {
            value = value * 10 + (text_[pos_ + i] - '0');
        }
        pos_ += count;
        return value;
    }

    // Reads all digits as a fraction of a second in microseconds, truncated.
    std::optional<int> readFraction() {
        const std::size_t available = digitRun();
        if (available == 0) {
            return std::nullopt;
        }
        int micros = 0;
        for (std::size_t i = 0; i < 6; ++i) {
            micros = micros * 10 + (i < available ? text_[pos_ + i] - '0' : 0);
        }
        pos_ += available;
        return micros;
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

struct Fields {
    int year = 0;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int micros = 0;
    int offset_minutes = 0;  // east of UTC
};

bool parseZone(Scanner& in, Fields& out) {
    if (in.consume('Z')) {
        return true;
    }
    int sign = 0;
    if (in.consume('+')) {
        sign = 1;
    } else if (in.consume('-')) {
        sign = -1;
    } else {
        return true;  // no zone
    }
    const std::optional<int> hours = in.readNumber(2, 2);
    if (!hours) {
        return false;
    }
    int minutes = 0;
    const bool colon = in.consume(':');
    if (colon || in.digitRun() > 0) {
        const std::optional<int> read = in.readNumber(2, 2);
        if (!read) {
            return false;
        }
        minutes = *read;
    }
    if (*hours > 23 || minutes > 59) {
        return false;
    }
    out.offset_minutes = sign * (*hours * 60 + minutes);
    return true;
}

bool parseTime(Scanner& in, Fields& out) {
    const std::optional<int> hour = in.readNumber(2, 2);
    if (!hour) {
        return false;
    }
    out.hour = *hour;

    const bool minute_colon = in.consume(':');
    if (minute_colon || in.digitRun() >= 2) {
        const std::optional<int> minute = in.readNumber(2, 2);
        if (!minute) {
            return false;
        }
        out.minute = *minute;

        const bool second_colon = in.consume(':');
        if (second_colon || in.digitRun() > 0) {
            const std::optional<int> second = in.readNumber(1, 2);
            if (!second) {
                return false;
            }
            out.second = *second;
            if (in.consume('.') || in.consume(',')) {
                const std::optional<int> micros = in.readFraction();
                if (!micros) {
                    return false;
                }
                out.micros = *micros;
            }
        }
    }
    return parseZone(in, out);
}

bool parseFields(std::string_view text, Fields& out) {
    Scanner in(text);
    const std::optional<int> year = in.readNumber(4, 4);
    if (!year) {
        return false;
    }
    out.year = *year;
    if (in.atEnd()) {
        return true;
    }

    std::optional<int> month;
    if (in.consume('-')) {
        month = in.readNumber(1, 2);
    } else if (in.digitRun() >= 2) {
        month = in.readNumber(2, 2);
        if (in.atEnd()) {
            return false;  // YYYYMM is ambiguous and rejected
        }
    }
    if (!month) {
        return false;
    }
    out.month = *month;
    if (in.atEnd()) {
        return true;
    }

    std::optional<int> day;
    if (in.consume('-')) {
        day = in.readNumber(1, 2);
    } else {
        day = in.readNumber(2, 2);
    }
    if (!day) {
        return false;
    }
    out.day = *day;
    if (in.atEnd()) {
        return true;
    }

    if (!in.consume('T') && !in.consume(' ')) {
        return false;
    }
    return parseTime(in, out) && in.atEnd();
}

}  // namespace

std::optional<Timestamp> parseIso8601(std::string_view text) {
    Fields fields;
    if (!parseFields(text, fields)) {
        return std::nullopt;
    }

    const year_month_day date{year{fields.year}, month{static_cast<unsigned>(fields.month)},
                              day{static_cast<unsigned>(fields.day)}};
    if (fields.year < 1 || !date.ok() || fields.hour > 23 || fields.minute > 59 ||
        fields.second > 59) {
        return std::nullopt;
    }

    const Timestamp local = sys_days{date} + hours{fields.hour} + minutes{fields.minute} +
                            seconds{fields.second} + microseconds{fields.micros};
    const Timestamp utc = local - minutes{fields.offset_minutes};

    const year utc_year = year_month_day{floor<days>(utc)}.year();
    if (utc_year < year{1} || utc_year > year{9999}) {
        return std::nullopt;
    }
    return utc;
}

namespace {

std::string formatParts(Timestamp timestamp, char separator, bool always_fraction) {
    const sys_days date_part = floor<days>(timestamp);
    const year_month_day date{date_part};
    const hh_mm_ss<microseconds> time{timestamp - date_part};
    const auto micros = static_cast<long long>(time.subseconds().count());

    char buffer[48];
    int length = std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u%c%02d:%02d:%02d",
                               static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                               static_cast<unsigned>(date.day()), separator,
                               static_cast<int>(time.hours().count()),
                               static_cast<int>(time.minutes().count()),
                               static_cast<int>(time.seconds().count()));
    if (always_fraction || micros != 0) {
        length += std::snprintf(buffer + length, sizeof buffer - static_cast<std::size_t>(length),
                                ".%06lld", micros);
    }
    return std::string(buffer, static_cast<std::size_t>(length));
}

}  // namespace

std::string formatTimestamp(Timestamp timestamp) {
    return formatParts(timestamp, 'T', false);
}

std::string formatSqlTimestamp(Timestamp timestamp) {
    return formatParts(timestamp, ' ', true);
}

Timestamp nowUtc() {
    return floor<microseconds>(system_clock::now());
}

}  // namespace core
