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
      out += "\\u00" + hex_text(static_cast<unsigned char>(c), 2).substr(2);
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
    case json::value_t::number_float:
      out += number_text(value.get<double>());
      break;
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
  if (out.size() > kMaxLength) out = out.substr(0, kMaxLength) + "...";
  return out;
}

}  // namespace digitrain
