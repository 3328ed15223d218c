#include "core/json_text.h"

#include "core/number_text.h"

namespace digitrain {

namespace {

using nlohmann::json;

constexpr size_t kMaxLength = 80;

void append_string(const std::string& s, std::string& out) {
  out += '"';
  for (const char c : s) {
    if (out.size() > kMaxLength) return;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n' || c == '\t' || c == '\r' || c == '\b' || c == '\f') {
      out += '\\';
      out += c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : c == '\b' ? 'b' : 'f';
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static const char kHex[] = "0123456789abcdef";  // lower case, as json::dump writes it
      out += "\\u00";
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[c & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
}

void append(const json& value, std::string& out) {
  if (out.size() > kMaxLength) return;
  switch (value.type()) {
    case json::value_t::null:
      out += "null";
      break;
    case json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      break;
    case json::value_t::number_integer:
      out += std::to_string(value.get<int64_t>());
      break;
    case json::value_t::number_unsigned:
      out += std::to_string(value.get<uint64_t>());
      break;
    case json::value_t::number_float: {
      // 10 digits: enough to tell 0.99999999 from 1 in a message about a range.
      const std::string text = number_text(value.get<double>(), 10);
      out += text;
      if (text.find_first_of(".en") == std::string::npos) out += ".0";  // 128.0 is not 128
      break;
    }
    case json::value_t::string:
      append_string(value.get_ref<const std::string&>(), out);
      break;
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const json& item : value) {
        if (!first) out += ',';
        first = false;
        append(item, out);
        if (out.size() > kMaxLength) return;
      }
      out += ']';
      break;
    }
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out += ',';
        first = false;
        append_string(key, out);
        out += ':';
        append(item, out);
        if (out.size() > kMaxLength) return;
      }
      out += '}';
      break;
    }
    default:
      out += "<binary>";
  }
}

}  // namespace

std::string json_text(const json& value) {
  std::string out;
  append(value, out);
  if (out.size() > kMaxLength) {
    size_t cut = kMaxLength;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
    out = out.substr(0, cut) + "...";
  }
  return out;
}

}  // namespace digitrain
