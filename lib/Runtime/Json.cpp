//===- Json.cpp - A strict, bounded JSON reader and a printer -------------===//
//
// A recursive-descent reader over RFC 8259's grammar; the recursion is bounded
// by JsonLimits::maxDepth. See Json.h for what it refuses and why.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/Json.h"

#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace mlir;
using namespace mlir::loom;

//===----------------------------------------------------------------------===//
// JsonValue
//===----------------------------------------------------------------------===//

JsonValue JsonValue::boolean(bool value) {
  JsonValue v;
  v.kind = Kind::Bool;
  v.boolValue = value;
  return v;
}

JsonValue JsonValue::integer(int64_t value) {
  return numberLiteral(std::to_string(value));
}

JsonValue JsonValue::numberLiteral(std::string text) {
  JsonValue v;
  v.kind = Kind::Number;
  v.text = std::move(text);
  return v;
}

JsonValue JsonValue::string(std::string value) {
  JsonValue v;
  v.kind = Kind::String;
  v.text = std::move(value);
  return v;
}

JsonValue JsonValue::array(std::vector<JsonValue> elements) {
  JsonValue v;
  v.kind = Kind::Array;
  v.elements = std::move(elements);
  return v;
}

JsonValue JsonValue::object() {
  JsonValue v;
  v.kind = Kind::Object;
  return v;
}

std::optional<bool> JsonValue::getAsBool() const {
  if (kind != Kind::Bool)
    return std::nullopt;
  return boolValue;
}

std::optional<int64_t> JsonValue::getAsInteger() const {
  if (kind != Kind::Number || text.find_first_of(".eE") != std::string::npos)
    return std::nullopt;
  errno = 0;
  char *end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno == ERANGE || end != text.c_str() + text.size())
    return std::nullopt;
  return static_cast<int64_t>(value);
}

const std::string &JsonValue::getNumberLiteral() const {
  static const std::string empty;
  return kind == Kind::Number ? text : empty;
}

const std::string *JsonValue::getAsString() const {
  return kind == Kind::String ? &text : nullptr;
}

const std::vector<JsonValue> *JsonValue::getAsArray() const {
  return kind == Kind::Array ? &elements : nullptr;
}

std::vector<JsonValue> *JsonValue::getAsArray() {
  return kind == Kind::Array ? &elements : nullptr;
}

const std::vector<std::pair<std::string, JsonValue>> *
JsonValue::getAsObject() const {
  return kind == Kind::Object ? &members : nullptr;
}

const JsonValue *JsonValue::get(std::string_view key) const {
  if (kind != Kind::Object)
    return nullptr;
  for (const auto &[name, value] : members)
    if (name == key)
      return &value;
  return nullptr;
}

void JsonValue::set(std::string key, JsonValue value) {
  assert(kind == Kind::Object && "set() on a JSON value that is no object");
  members.emplace_back(std::move(key), std::move(value));
}

void JsonValue::push(JsonValue value) {
  assert(kind == Kind::Array && "push() on a JSON value that is no array");
  elements.push_back(std::move(value));
}

const char *JsonValue::describeKind() const {
  switch (kind) {
  case Kind::Null:
    return "null";
  case Kind::Bool:
    return "a boolean";
  case Kind::Number:
    return "a number";
  case Kind::String:
    return "a string";
  case Kind::Array:
    return "an array";
  case Kind::Object:
    return "an object";
  }
  return "a value";
}

//===----------------------------------------------------------------------===//
// UTF-8
//===----------------------------------------------------------------------===//

/// The length of the valid UTF-8 sequence at `text[pos]`, 0 if there is none.
static size_t utf8SequenceLength(std::string_view text, size_t pos) {
  auto byte = [&](size_t i) -> unsigned {
    return pos + i < text.size() ? static_cast<unsigned char>(text[pos + i])
                                 : 0x100;
  };
  auto continuation = [&](size_t i) { return (byte(i) & 0xc0) == 0x80; };
  unsigned b0 = byte(0);
  if (b0 < 0x80)
    return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf)
    return continuation(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    unsigned b1 = byte(1);
    // No overlong forms (e0 80..9f) and no surrogates (ed a0..bf).
    if ((b0 == 0xe0 && b1 < 0xa0) || (b0 == 0xed && b1 >= 0xa0))
      return 0;
    return continuation(1) && continuation(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    unsigned b1 = byte(1);
    // No overlong forms (f0 80..8f), nothing above U+10FFFF (f4 90..).
    if ((b0 == 0xf0 && b1 < 0x90) || (b0 == 0xf4 && b1 >= 0x90))
      return 0;
    return continuation(1) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

bool mlir::loom::isValidUtf8(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    size_t length = utf8SequenceLength(text, pos);
    if (length == 0)
      return false;
    pos += length;
  }
  return true;
}

static void appendUtf8(std::string &out, uint32_t codePoint) {
  if (codePoint < 0x80) {
    out += static_cast<char>(codePoint);
  } else if (codePoint < 0x800) {
    out += static_cast<char>(0xc0 | (codePoint >> 6));
    out += static_cast<char>(0x80 | (codePoint & 0x3f));
  } else if (codePoint < 0x10000) {
    out += static_cast<char>(0xe0 | (codePoint >> 12));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (codePoint & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (codePoint >> 18));
    out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (codePoint & 0x3f));
  }
}

//===----------------------------------------------------------------------===//
// Reader
//===----------------------------------------------------------------------===//

namespace {
class JsonReader {
public:
  JsonReader(std::string_view text, const JsonLimits &limits)
      : text(text), limits(limits) {}

  Result<JsonValue> parseDocument() {
    if (text.size() > limits.maxBytes)
      return Status::error("the text has " + std::to_string(text.size()) +
                           " bytes, more than the " +
                           std::to_string(limits.maxBytes) + " allowed");
    if (text.substr(0, 3) == "\xef\xbb\xbf")
      return fail("a byte-order mark is not allowed");
    JsonValue value;
    skipWhitespace();
    if (!parseValue(value, 1))
      return Status::error(error);
    skipWhitespace();
    if (pos != text.size())
      return fail("unexpected text after the JSON value");
    return value;
  }

private:
  bool atEnd() const { return pos >= text.size(); }
  char peek() const { return atEnd() ? '\0' : text[pos]; }

  void skipWhitespace() {
    while (!atEnd() && (text[pos] == ' ' || text[pos] == '\t' ||
                        text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }

  /// Records an error at the current position; returns a failed Status and
  /// false for the two kinds of callers.
  Status fail(const std::string &message) {
    if (error.empty()) {
      size_t line = 1, column = 1;
      for (size_t i = 0; i < pos && i < text.size(); ++i) {
        if (text[i] == '\n') {
          ++line;
          column = 1;
        } else {
          ++column;
        }
      }
      error = "line " + std::to_string(line) + ", column " +
              std::to_string(column) + ": " + message;
    }
    return Status::error(error);
  }
  bool failed(const std::string &message) {
    (void)fail(message);
    return false;
  }

  bool parseValue(JsonValue &out, unsigned depth) {
    if (atEnd())
      return failed("unexpected end of text, expected a value");
    char c = peek();
    if (c == '{' || c == '[') {
      if (depth > limits.maxDepth)
        return failed("arrays and objects nest deeper than " +
                      std::to_string(limits.maxDepth) + " levels");
      return c == '{' ? parseObject(out, depth) : parseArray(out, depth);
    }
    if (c == '"') {
      std::string s;
      if (!parseString(s))
        return false;
      out = JsonValue::string(std::move(s));
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
      return parseNumber(out);
    for (auto [word, value] : {std::pair<std::string_view, int>{"true", 1},
                               {"false", 0},
                               {"null", -1}}) {
      if (text.substr(pos, word.size()) == word) {
        pos += word.size();
        out = value < 0 ? JsonValue() : JsonValue::boolean(value == 1);
        return true;
      }
    }
    return failed("unexpected character, expected a value");
  }

  bool parseObject(JsonValue &out, unsigned depth) {
    ++pos; // '{'
    out = JsonValue::object();
    skipWhitespace();
    if (peek() == '}') {
      ++pos;
      return true;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"')
        return failed("expected a string key");
      size_t keyPos = pos;
      std::string key;
      if (!parseString(key))
        return false;
      if (out.get(key)) {
        pos = keyPos;
        return failed("duplicate key '" + key + "'");
      }
      skipWhitespace();
      if (peek() != ':')
        return failed("expected ':' after a key");
      ++pos;
      skipWhitespace();
      JsonValue value;
      if (!parseValue(value, depth + 1))
        return false;
      out.set(std::move(key), std::move(value));
      skipWhitespace();
      if (peek() == ',') {
        ++pos;
        continue;
      }
      if (peek() == '}') {
        ++pos;
        return true;
      }
      return failed("expected ',' or '}' in an object");
    }
  }

  bool parseArray(JsonValue &out, unsigned depth) {
    ++pos; // '['
    out = JsonValue::array();
    skipWhitespace();
    if (peek() == ']') {
      ++pos;
      return true;
    }
    while (true) {
      skipWhitespace();
      JsonValue value;
      if (!parseValue(value, depth + 1))
        return false;
      out.push(std::move(value));
      skipWhitespace();
      if (peek() == ',') {
        ++pos;
        continue;
      }
      if (peek() == ']') {
        ++pos;
        return true;
      }
      return failed("expected ',' or ']' in an array");
    }
  }

  bool parseHex4(uint32_t &out) {
    out = 0;
    for (int i = 0; i < 4; ++i, ++pos) {
      char c = peek();
      unsigned digit;
      if (c >= '0' && c <= '9')
        digit = c - '0';
      else if (c >= 'a' && c <= 'f')
        digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        digit = c - 'A' + 10;
      else
        return failed("expected four hex digits after \\u");
      out = out * 16 + digit;
    }
    return true;
  }

  bool parseString(std::string &out) {
    ++pos; // '"'
    while (true) {
      if (atEnd())
        return failed("unterminated string");
      unsigned char c = static_cast<unsigned char>(text[pos]);
      if (c == '"') {
        ++pos;
        return true;
      }
      if (c < 0x20)
        return failed("control character in a string (escape it)");
      if (c != '\\') {
        size_t length = utf8SequenceLength(text, pos);
        if (length == 0)
          return failed("invalid UTF-8 in a string");
        out.append(text.substr(pos, length));
        pos += length;
        continue;
      }
      ++pos;
      char escape = peek();
      ++pos;
      switch (escape) {
      case '"':
      case '\\':
      case '/':
        out += escape;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t unit;
        if (!parseHex4(unit))
          return false;
        if (unit >= 0xdc00 && unit <= 0xdfff)
          return failed("lone low surrogate in a \\u escape");
        if (unit >= 0xd800 && unit <= 0xdbff) {
          uint32_t low;
          if (text.substr(pos, 2) != "\\u")
            return failed("high surrogate without a low surrogate");
          pos += 2;
          if (!parseHex4(low))
            return false;
          if (low < 0xdc00 || low > 0xdfff)
            return failed("high surrogate without a low surrogate");
          unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        }
        appendUtf8(out, unit);
        break;
      }
      default:
        --pos;
        return failed("invalid escape in a string");
      }
    }
  }

  bool parseNumber(JsonValue &out) {
    size_t start = pos;
    auto digits = [&] {
      size_t first = pos;
      while (!atEnd() && text[pos] >= '0' && text[pos] <= '9')
        ++pos;
      return pos - first;
    };
    if (peek() == '-')
      ++pos;
    if (peek() == '0') {
      ++pos;
      if (peek() >= '0' && peek() <= '9')
        return failed("a number may not have leading zeros");
    } else if (digits() == 0) {
      return failed("malformed number");
    }
    if (peek() == '.') {
      ++pos;
      if (digits() == 0)
        return failed("malformed number: digits must follow '.'");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos;
      if (peek() == '+' || peek() == '-')
        ++pos;
      if (digits() == 0)
        return failed("malformed number: digits must follow the exponent");
    }
    out =
        JsonValue::numberLiteral(std::string(text.substr(start, pos - start)));
    return true;
  }

  std::string_view text;
  const JsonLimits &limits;
  size_t pos = 0;
  std::string error;
};
} // namespace

Result<JsonValue> mlir::loom::parseJson(std::string_view text,
                                        const JsonLimits &limits) {
  return JsonReader(text, limits).parseDocument();
}

//===----------------------------------------------------------------------===//
// Printer
//===----------------------------------------------------------------------===//

static void printString(std::string &out, std::string_view s) {
  out += '"';
  for (size_t pos = 0; pos < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[pos]);
    size_t length = utf8SequenceLength(s, pos);
    if (length == 0) {
      out += "\xef\xbf\xbd"; // U+FFFD
      ++pos;
      continue;
    }
    if (length > 1) {
      out.append(s.substr(pos, length));
      pos += length;
      continue;
    }
    ++pos;
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20 || c == 0x7f) {
        char buffer[8];
        std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
        out += buffer;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  out += '"';
}

static void printValue(std::string &out, const JsonValue &value,
                       unsigned indent) {
  auto newline = [&](unsigned level) {
    out += '\n';
    out.append(2 * level, ' ');
  };
  switch (value.getKind()) {
  case JsonValue::Kind::Null:
    out += "null";
    return;
  case JsonValue::Kind::Bool:
    out += *value.getAsBool() ? "true" : "false";
    return;
  case JsonValue::Kind::Number:
    out += value.getNumberLiteral();
    return;
  case JsonValue::Kind::String:
    printString(out, *value.getAsString());
    return;
  case JsonValue::Kind::Array: {
    const std::vector<JsonValue> &elements = *value.getAsArray();
    out += '[';
    for (size_t i = 0; i < elements.size(); ++i) {
      if (i)
        out += ',';
      newline(indent + 1);
      printValue(out, elements[i], indent + 1);
    }
    if (!elements.empty())
      newline(indent);
    out += ']';
    return;
  }
  case JsonValue::Kind::Object: {
    const auto &members = *value.getAsObject();
    out += '{';
    for (size_t i = 0; i < members.size(); ++i) {
      if (i)
        out += ',';
      newline(indent + 1);
      printString(out, members[i].first);
      out += ": ";
      printValue(out, members[i].second, indent + 1);
    }
    if (!members.empty())
      newline(indent);
    out += '}';
    return;
  }
  }
}

std::string mlir::loom::printJson(const JsonValue &value) {
  std::string out;
  printValue(out, value, 0);
  return out;
}
