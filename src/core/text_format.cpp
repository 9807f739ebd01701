// Writing and reading the text form (see text_format.hpp).
#include "coverage/core/text_format.hpp"

#include <climits>
#include <cstdio>
#include <cstring>
#include <string>

#include "coverage/core/error.hpp"

namespace coverage::core {

namespace {

// PostgreSQL counts from 2000-01-01; the calendar helpers from 1970-01-01.
constexpr int64_t kPgEpochDays = 10957;

int64_t floor_div(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

struct Civil {
    int64_t year;
    unsigned month;
    unsigned day;
};

// Proleptic Gregorian calendar by 400-year eras (after H. Hinnant's algorithms).
Civil civil_from_days(int64_t z) {
    z += 719468;
    const int64_t era = floor_div(z, 146097);
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const unsigned day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
    const unsigned month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
    return Civil{yoe + era * 400 + (month <= 2), month, day};
}

bool is_leap(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t year, unsigned month) {
    static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Writes v in decimal, zero-padded to at least `width` digits; returns the length.
// By hand rather than snprintf: the output function writes two timestamps per
// segment, and snprintf made up most of its cost.
size_t put_decimal(uint64_t v, size_t width, char* out) {
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n < width) digits[n++] = '0';
    for (size_t i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
    return n;
}

size_t format_fraction(uint64_t usecs, char* out) {
    if (usecs == 0) return 0;
    char digits[8];
    size_t n = put_decimal(usecs, 6, digits);
    while (digits[n - 1] == '0') --n;
    out[0] = '.';
    std::memcpy(out + 1, digits, n);
    return n + 1;
}

[[noreturn]] void syntax_error(const TextReader& r, const char* expected) {
    std::string detail = std::string("Expected ") + expected + " at character " +
                         std::to_string(r.pos - r.begin + 1) + ".";
    fail(ErrorKind::invalid_text, "invalid input syntax for type coverage", detail);
}

void skip_space(TextReader& r) {
    while (r.pos < r.end && (*r.pos == ' ' || *r.pos == '\t' || *r.pos == '\n' || *r.pos == '\r'))
        ++r.pos;
}

void expect(TextReader& r, char c, const char* what) {
    if (r.pos >= r.end || *r.pos != c) syntax_error(r, what);
    ++r.pos;
}

// Reads exactly `width` digits.
int64_t read_fixed(TextReader& r, int width, const char* what) {
    int64_t value = 0;
    for (int i = 0; i < width; ++i) {
        if (r.pos >= r.end || *r.pos < '0' || *r.pos > '9') syntax_error(r, what);
        value = value * 10 + (*r.pos++ - '0');
    }
    return value;
}

// Reads 1 to `max_digits` digits into a non-negative value; a value beyond int64 is a
// syntax error too, so that 19 digits can reach every bigint.
int64_t read_number(TextReader& r, int max_digits, const char* what) {
    const char* first = r.pos;
    int64_t value = 0;
    while (r.pos < r.end && *r.pos >= '0' && *r.pos <= '9') {
        if (r.pos - first == max_digits || __builtin_mul_overflow(value, 10, &value) ||
            __builtin_add_overflow(value, *r.pos - '0', &value))
            syntax_error(r, what);
        ++r.pos;
    }
    if (r.pos == first) syntax_error(r, what);
    return value;
}

// Reads ".ffffff" (1 to 6 digits) if present, as microseconds.
int64_t read_fraction(TextReader& r) {
    if (r.pos >= r.end || *r.pos != '.') return 0;
    ++r.pos;
    const char* first = r.pos;
    int64_t value = read_number(r, 6, "1 to 6 fractional digits");
    for (ptrdiff_t n = r.pos - first; n < 6; ++n) value *= 10;
    return value;
}

int64_t read_timestamp(TextReader& r) {
    const char* start = r.pos;
    bool negative = false;
    if (r.pos < r.end && (*r.pos == '-' || *r.pos == '+')) negative = *r.pos++ == '-';
    const char* year_digits = r.pos;
    int64_t year = read_number(r, 6, "a timestamp like 2024-01-31T12:00:00Z");
    if (r.pos - year_digits < 4) syntax_error(r, "a year of at least four digits");
    if (negative) year = -year;
    expect(r, '-', "\"-\"");
    unsigned month = static_cast<unsigned>(read_fixed(r, 2, "a two-digit month"));
    expect(r, '-', "\"-\"");
    unsigned day = static_cast<unsigned>(read_fixed(r, 2, "a two-digit day"));
    expect(r, 'T', "\"T\"");
    int64_t hour = read_fixed(r, 2, "a two-digit hour");
    expect(r, ':', "\":\"");
    int64_t minute = read_fixed(r, 2, "two-digit minutes");
    expect(r, ':', "\":\"");
    int64_t second = read_fixed(r, 2, "two-digit seconds");
    int64_t fraction = read_fraction(r);
    expect(r, 'Z', "\"Z\" (times are in UTC)");
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
        minute > 59 || second > 59) {
        r.pos = start;
        syntax_error(r, "a valid date and time");
    }
    // A six-digit year is up to 365 million days away, whose microseconds overflow
    // int64: the sum is formed in 128 bits and range-checked before narrowing.
    int64_t days = days_from_civil(year, month, day) - kPgEpochDays;
    __int128 t = static_cast<__int128>(days) * kUsecsPerDay +
                 ((hour * 60 + minute) * 60 + second) * kUsecsPerSecond + fraction;
    if (t < kMinTimestamp || t >= kEndTimestamp) {
        r.pos = start;
        syntax_error(r, "a time within the finite timestamptz range");
    }
    return static_cast<int64_t>(t);
}

}  // namespace

int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
    year -= month <= 2;
    const int64_t era = floor_div(year, 400);
    const int64_t yoe = year - era * 400;
    const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

size_t format_timestamp(int64_t t, char* out) {
    int64_t days = floor_div(t, kUsecsPerDay);
    int64_t in_day = t - days * kUsecsPerDay;
    Civil c = civil_from_days(days + kPgEpochDays);
    uint64_t secs = static_cast<uint64_t>(in_day / kUsecsPerSecond);
    size_t len = 0;
    if (c.year < 0) out[len++] = '-';
    len += put_decimal(static_cast<uint64_t>(c.year < 0 ? -c.year : c.year), 4, out + len);
    out[len++] = '-';
    len += put_decimal(c.month, 2, out + len);
    out[len++] = '-';
    len += put_decimal(c.day, 2, out + len);
    out[len++] = 'T';
    len += put_decimal(secs / 3600, 2, out + len);
    out[len++] = ':';
    len += put_decimal(secs / 60 % 60, 2, out + len);
    out[len++] = ':';
    len += put_decimal(secs % 60, 2, out + len);
    len += format_fraction(static_cast<uint64_t>(in_day % kUsecsPerSecond), out + len);
    out[len++] = 'Z';
    out[len] = '\0';
    return len;
}

size_t format_gap(const Gap& gap, char* out) {
    unsigned __int128 total =
        static_cast<unsigned __int128>(gap.days) * kUsecsPerDay + static_cast<uint64_t>(gap.usecs);
    unsigned __int128 secs = total / kUsecsPerSecond;
    // Up to 21 decimal digits of seconds; print them without a 128-bit printf.
    char digits[48];
    size_t n = 0;
    do {
        digits[n++] = static_cast<char>('0' + static_cast<int>(secs % 10));
        secs /= 10;
    } while (secs != 0);
    size_t len = static_cast<size_t>(std::snprintf(out, kGapTextMax, "max_gap="));
    while (n > 0) out[len++] = digits[--n];
    len += format_fraction(static_cast<uint64_t>(total % kUsecsPerSecond), out + len);
    out[len++] = 's';
    out[len] = '\0';
    return len;
}

size_t format_segment(const Segment& s, char* out) {
    size_t len = 0;
    out[len++] = '[';
    len += format_timestamp(s.start, out + len);
    out[len++] = ',';
    len += format_timestamp(s.end, out + len);
    out[len++] = ']';
    out[len++] = ':';
    if (s.points < 0) out[len++] = '-';
    uint64_t points = static_cast<uint64_t>(s.points);
    len += put_decimal(s.points < 0 ? 0 - points : points, 1, out + len);
    out[len] = '\0';
    return len;
}

Gap read_text_header(TextReader& r) {
    skip_space(r);
    static const char kKey[] = "max_gap=";
    size_t key_len = sizeof kKey - 1;
    if (static_cast<size_t>(r.end - r.pos) < key_len || std::memcmp(r.pos, kKey, key_len) != 0)
        syntax_error(r, "\"max_gap=\"");
    r.pos += key_len;
    // At most 15 digits of seconds: 31 million years, beyond any two timestamps' distance.
    int64_t secs = read_number(r, 15, "max_gap in seconds (at most 15 digits)");
    int64_t usecs = read_fraction(r);
    expect(r, 's', "\"s\" after max_gap");
    __int128 total = static_cast<__int128>(secs) * kUsecsPerSecond + usecs;
    __int128 days = total / kUsecsPerDay;
    if (days > INT32_MAX) days = INT32_MAX;
    __int128 rest = total - days * kUsecsPerDay;
    if (rest > INT64_MAX) syntax_error(r, "a max_gap within the range of interval");
    return make_gap(0, static_cast<int32_t>(days), static_cast<int64_t>(rest));
}

bool read_text_segment(TextReader& r, Segment* out) {
    skip_space(r);
    if (r.pos == r.end) return false;
    expect(r, '[', "\"[\" or the end of the value");
    skip_space(r);
    out->start = read_timestamp(r);
    skip_space(r);
    expect(r, ',', "\",\"");
    skip_space(r);
    out->end = read_timestamp(r);
    skip_space(r);
    expect(r, ']', "\"]\"");
    expect(r, ':', "\":\" and a point count");
    out->points = read_number(r, 19, "a point count within the range of bigint");
    return true;
}

}  // namespace coverage::core

#include "coverage/core/no_postgres.hpp"
