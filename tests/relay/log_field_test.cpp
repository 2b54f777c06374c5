// log_field: what a client puts in its USERNAME cannot forge, split or break a log line.
#include "relay/log_field.hpp"

#include <gtest/gtest.h>

namespace hallpass::relay {
namespace {

TEST(LogField, PlainNamesStayAsTheyAre) {
    EXPECT_EQ(log_field("alice"), "alice");
    EXPECT_EQ(log_field("1767225600:student-42"), "1767225600:student-42");
}

TEST(LogField, EveryByteOutsidePrintableAsciiIsEscaped) {
    EXPECT_EQ(log_field("José"), "Jos\\xc3\\xa9");
    EXPECT_EQ(log_field("a\u2028b"), "a\\xe2\\x80\\xa8b");        // line separator
    EXPECT_EQ(log_field("a\u00a0user=root"), "a\\xc2\\xa0user=root");  // no-break space
    EXPECT_EQ(log_field("\u202eevil"), "\\xe2\\x80\\xaeevil");        // right-to-left override
    EXPECT_EQ(log_field("\u0085"), "\\xc2\\x85");                      // NEL
}

TEST(LogField, LineBreaksAndControlsCannotForgeALine) {
    EXPECT_EQ(log_field("alice\n2026-01-01 00:00:00.000 info allocation created user=root"),
              "alice\\x0a2026-01-01\\x2000:00:00.000\\x20info\\x20allocation\\x20created\\x20user=root");
    EXPECT_EQ(log_field(std::string_view("a\0b\r\x1b[31m\x7f", 10)), "a\\x00b\\x0d\\x1b[31m\\x7f");
}

TEST(LogField, SpacesQuotesAndBackslashesCannotAddAField) {
    EXPECT_EQ(log_field("alice client=10.0.0.1"), "alice\\x20client=10.0.0.1");
    EXPECT_EQ(log_field("a\"b\\c"), "a\\x22b\\x5cc");
}

TEST(LogField, BrokenUtf8IsEscapedByteByByte) {
    EXPECT_EQ(log_field("\xff\xfe"), "\\xff\\xfe");
    EXPECT_EQ(log_field("\xc3"), "\\xc3");  // cut short
}

TEST(LogField, EmptyIsVisible) { EXPECT_EQ(log_field(""), "\"\""); }

}  // namespace
}  // namespace hallpass::relay
