//===- Json.h - A strict, bounded JSON reader and a printer -----*- C++ -*-===//
//
// manifest.json comes from a model directory, which loaders treat as
// untrusted input. The reader accepts exactly RFC 8259 JSON and refuses
// everything a lenient parser would guess at: a byte-order mark, comments,
// trailing commas, invalid UTF-8 or lone surrogates, control characters in
// strings, duplicate keys in an object, text after the value. It is bounded:
// the text may have at most `maxBytes` bytes and arrays and objects may nest
// at most `maxDepth` deep, so neither the recursion nor the tree it builds
// can grow without limit. Errors give the line and column.
//
// The printer writes the layout llvm::json::OStream uses with an indent of 2
// (one member or element per line), so manifests stay diffable.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_JSON_H
#define LOOM_RUNTIME_JSON_H

#include "loom/Runtime/Result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlir {
namespace loom {

/// One JSON value. Objects keep their members in the order of the text.
class JsonValue {
public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  JsonValue() = default;
  static JsonValue boolean(bool value);
  static JsonValue integer(int64_t value);
  /// A number from its literal text, which must be valid JSON number syntax.
  static JsonValue numberLiteral(std::string text);
  static JsonValue string(std::string value);
  static JsonValue array(std::vector<JsonValue> elements = {});
  static JsonValue object();

  Kind getKind() const { return kind; }
  bool isNull() const { return kind == Kind::Null; }
  /// The value if this is a Bool.
  std::optional<bool> getAsBool() const;
  /// The value if this is a number written as an integer (no fraction, no
  /// exponent) that fits int64_t. 1.0 and 1e3 are not integers.
  std::optional<int64_t> getAsInteger() const;
  /// A Number's literal text ("" for other kinds).
  const std::string &getNumberLiteral() const;
  /// The decoded text if this is a String.
  const std::string *getAsString() const;
  const std::vector<JsonValue> *getAsArray() const;
  std::vector<JsonValue> *getAsArray();
  /// The members if this is an Object.
  const std::vector<std::pair<std::string, JsonValue>> *getAsObject() const;

  /// The member `key` of an object, nullptr when it has none (or this is not
  /// an object).
  const JsonValue *get(std::string_view key) const;
  /// Appends a member to an object (the printer's side: keys are not checked
  /// for duplicates).
  void set(std::string key, JsonValue value);
  /// Appends an element to an array.
  void push(JsonValue value);

  /// "an object", "a string", ... for messages.
  const char *describeKind() const;

private:
  Kind kind = Kind::Null;
  bool boolValue = false;
  /// A String's text, or a Number's literal.
  std::string text;
  std::vector<JsonValue> elements;
  std::vector<std::pair<std::string, JsonValue>> members;
};

struct JsonLimits {
  /// The largest text accepted, in bytes.
  size_t maxBytes = size_t(16) << 20;
  /// The deepest nesting of arrays and objects accepted (the top-level value
  /// is depth 1).
  unsigned maxDepth = 32;
};

/// Parses `text` as one JSON value under `limits`; the error message starts
/// with "line L, column C: " where the text goes wrong.
Result<JsonValue> parseJson(std::string_view text,
                            const JsonLimits &limits = JsonLimits());

/// `value` as JSON text, indented by 2 spaces per level, without a trailing
/// newline. Strings are escaped; bytes that are not valid UTF-8 become
/// U+FFFD.
std::string printJson(const JsonValue &value);

/// Whether `text` is valid UTF-8 (no overlong forms, no surrogates, nothing
/// above U+10FFFF).
bool isValidUtf8(std::string_view text);

} // namespace loom
} // namespace mlir

#endif // LOOM_RUNTIME_JSON_H
