//===- JsonTest.cpp - Unit tests of the strict JSON reader ----------------===//
//
// What the reader accepts (RFC 8259 exactly) and one case per rejection,
// including its limits on size and nesting.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/Json.h"

#include "gtest/gtest.h"

using namespace mlir::loom;

namespace {

void expectError(const std::string &text, const std::string &needle,
                 JsonLimits limits = JsonLimits()) {
  Result<JsonValue> v = parseJson(text, limits);
  ASSERT_FALSE(v.ok()) << "accepted " << text;
  EXPECT_NE(v.message().find(needle), std::string::npos) << v.message();
}

TEST(Json, ParsesEveryKind) {
  Result<JsonValue> v = parseJson(
      " {\"a\": [1, -2, 3.5, 1e3, true, false, null], \"b\": {\"c\": \"d\"},\n"
      "  \"s\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"} ");
  ASSERT_TRUE(v.ok()) << v.message();
  const JsonValue *a = v->get("a");
  ASSERT_TRUE(a && a->getAsArray());
  const std::vector<JsonValue> &elements = *a->getAsArray();
  ASSERT_EQ(elements.size(), 7u);
  EXPECT_EQ(elements[0].getAsInteger(), 1);
  EXPECT_EQ(elements[1].getAsInteger(), -2);
  // Only integer literals are integers.
  EXPECT_FALSE(elements[2].getAsInteger());
  EXPECT_FALSE(elements[3].getAsInteger());
  EXPECT_EQ(elements[4].getAsBool(), true);
  EXPECT_EQ(elements[5].getAsBool(), false);
  EXPECT_TRUE(elements[6].isNull());
  EXPECT_EQ(*v->get("b")->get("c")->getAsString(), "d");
  EXPECT_EQ(*v->get("s")->getAsString(),
            "\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(v->get("missing"), nullptr);
}

TEST(Json, IntegersOutOfRangeAreNotIntegers) {
  Result<JsonValue> v = parseJson("[9223372036854775807, 9223372036854775808, "
                                  "-9223372036854775808]");
  ASSERT_TRUE(v.ok()) << v.message();
  EXPECT_EQ((*v->getAsArray())[0].getAsInteger(), INT64_MAX);
  EXPECT_FALSE((*v->getAsArray())[1].getAsInteger());
  EXPECT_EQ((*v->getAsArray())[2].getAsInteger(), INT64_MIN);
}

TEST(Json, RejectsWhatIsNotStrictJson) {
  expectError("", "line 1, column 1: unexpected end of text, expected a value");
  expectError("{} x", "unexpected text after the JSON value");
  expectError("\xef\xbb\xbf{}", "a byte-order mark is not allowed");
  expectError("{\"a\": 1,}", "expected a string key");
  expectError("[1,]", "unexpected character, expected a value");
  expectError("{\"a\" 1}", "expected ':' after a key");
  expectError("{\"a\": 1 \"b\": 2}", "expected ',' or '}' in an object");
  expectError("[1 2]", "expected ',' or ']' in an array");
  expectError("// comment\n{}", "unexpected character, expected a value");
  expectError("{'a': 1}", "expected a string key");
  expectError("[nul]", "unexpected character, expected a value");
  expectError("[01]", "a number may not have leading zeros");
  expectError("[-]", "malformed number");
  expectError("[1.]", "digits must follow '.'");
  expectError("[1e]", "digits must follow the exponent");
  expectError("[+1]", "unexpected character");
  expectError("[NaN]", "unexpected character");
  expectError("[\"a", "unterminated string");
  expectError("[\"a\tb\"]", "control character in a string");
  expectError("[\"\\x\"]", "invalid escape in a string");
  expectError("[\"\\u12\"]", "expected four hex digits after \\u");
  expectError("[\"\\udc00\"]", "lone low surrogate");
  expectError("[\"\\ud800\"]", "high surrogate without a low surrogate");
  expectError("[\"\\ud800\\u0041\"]", "high surrogate without a low surrogate");
  expectError("[\"\xff\"]", "invalid UTF-8 in a string");
  expectError("[\"\xc0\xaf\"]", "invalid UTF-8");         // overlong '/'
  expectError("[\"\xed\xa0\x80\"]", "invalid UTF-8");     // encoded surrogate
  expectError("[\"\xf4\x90\x80\x80\"]", "invalid UTF-8"); // above U+10FFFF
  expectError("{\"a\": 1, \"a\": 2}", "line 1, column 10: duplicate key 'a'");
  expectError("{\n  \"a\": [1,\n  ?]}", "line 3, column 3: unexpected");
}

TEST(Json, EnforcesLimits) {
  JsonLimits limits;
  limits.maxDepth = 3;
  EXPECT_TRUE(parseJson("[[[1]]]", limits).ok());
  expectError("[[[[1]]]]", "arrays and objects nest deeper than 3 levels",
              limits);
  expectError("{\"a\": {\"b\": {\"c\": {}}}}", "nest deeper than 3", limits);
  // The default depth stops a deep text long before the stack would.
  expectError(std::string(100000, '['), "nest deeper than 32 levels");
  limits = JsonLimits();
  limits.maxBytes = 4;
  EXPECT_TRUE(parseJson("[12]", limits).ok());
  expectError("[123]", "the text has 5 bytes, more than the 4 allowed", limits);
}

TEST(Json, PrintsWhatItReads) {
  JsonValue object = JsonValue::object();
  object.set("name", JsonValue::string("a\"b\\c\n\x01\xc3\xa9"));
  object.set("list",
             JsonValue::array({JsonValue::integer(1), JsonValue::integer(-2)}));
  object.set("empty", JsonValue::array());
  object.set("flag", JsonValue::boolean(true));
  std::string text = printJson(object);
  EXPECT_EQ(text, "{\n"
                  "  \"name\": \"a\\\"b\\\\c\\n\\u0001\xc3\xa9\",\n"
                  "  \"list\": [\n"
                  "    1,\n"
                  "    -2\n"
                  "  ],\n"
                  "  \"empty\": [],\n"
                  "  \"flag\": true\n"
                  "}");
  Result<JsonValue> back = parseJson(text);
  ASSERT_TRUE(back.ok()) << back.message();
  EXPECT_EQ(*back->get("name")->getAsString(), "a\"b\\c\n\x01\xc3\xa9");
  // Invalid UTF-8 is printed as U+FFFD, so the output is always valid.
  EXPECT_EQ(printJson(JsonValue::string("\xff")), "\"\xef\xbf\xbd\"");
  EXPECT_FALSE(isValidUtf8("\xff"));
  EXPECT_TRUE(isValidUtf8("\xf0\x9f\x98\x80"));
}

} // namespace
