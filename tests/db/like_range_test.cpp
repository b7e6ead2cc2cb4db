#include <catch2/catch.hpp>

#include "db/like_range.h"

TEST_CASE("like range of a plain prefix", "[unit][db]") {
    const auto range = db::likePrefixRange("bench-0042%");
    REQUIRE(range);
    CHECK(range->lower == "bench-0042");
    CHECK(range->upper == "bench-0043");
}

TEST_CASE("like range stops at the first wildcard", "[unit][db]") {
    CHECK(db::likePrefixRange("ab_c%")->lower == "ab");
    CHECK(db::likePrefixRange("ab_c%")->upper == "ac");
    CHECK(db::likePrefixRange("ab%c_")->upper == "ac");
    // A pattern without wildcards is its own prefix.
    CHECK(db::likePrefixRange("exact")->lower == "exact");
    CHECK(db::likePrefixRange("exact")->upper == "exacu");
}

TEST_CASE("like range absent without prefix", "[unit][db]") {
    CHECK_FALSE(db::likePrefixRange(""));
    CHECK_FALSE(db::likePrefixRange("%"));
    CHECK_FALSE(db::likePrefixRange("_abc"));
    CHECK_FALSE(db::likePrefixRange("\xff%"));       // not UTF-8
    CHECK_FALSE(db::likePrefixRange("\xc3%"));       // truncated sequence
    CHECK_FALSE(db::likePrefixRange("\xed\xa0\x80"));  // a surrogate
    CHECK_FALSE(db::likePrefixRange("\xf4\x8f\xbf\xbf%"));  // only U+10FFFF
}

TEST_CASE("like range raises multibyte code points", "[unit][db]") {
    // U+00E9 -> U+00EA
    CHECK(db::likePrefixRange("caf\xc3\xa9%")->upper == "caf\xc3\xaa");
    // U+007F -> U+0080 changes the encoded length.
    CHECK(db::likePrefixRange("a\x7f%")->upper == "a\xc2\x80");
    // U+D7FF -> U+E000 skips the surrogates.
    CHECK(db::likePrefixRange("\xed\x9f\xbf%")->upper == "\xee\x80\x80");
    // A trailing U+10FFFF is dropped and the code point before raised.
    CHECK(db::likePrefixRange("a\xf4\x8f\xbf\xbf%")->upper == "b");
}

TEST_CASE("like range keeps backslashes literal", "[unit][db]") {
    const auto range = db::likePrefixRange("a\\%");
    REQUIRE(range);
    CHECK(range->lower == "a\\");
    CHECK(range->upper == "a]");
}
