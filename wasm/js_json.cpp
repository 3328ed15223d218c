#include "js_json.h"

#include <cmath>

#include "core/error.h"

namespace digitrain {

namespace {

using emscripten::val;
using nlohmann::json;

// Deeper than any model description or file; stops cycles and stack exhaustion.
constexpr int kMaxDepth = 64;
// Far more values than any model file holds (its weights are base64 strings); stops a
// small object that refers to the same parts many times from unfolding without end.
constexpr long kMaxValues = 1L << 20;
// (The messages spell both limits out: one throw site each keeps the module small.)

struct Walk {
  const std::string& source;
  long values = 0;
};

[[noreturn]] void refuse(const Walk& walk, const std::string& what) { throw Error(walk.source + ": " + what); }

json convert(const val& v, Walk& walk, int depth) {
  if (depth > kMaxDepth) refuse(walk, "nested more than 64 levels deep (or refers to itself)");
  if (++walk.values > kMaxValues) refuse(walk, "more than 1048576 values (or refers to the same parts again and again)");
  if (v.isNull()) return nullptr;
  if (v.isTrue()) return true;
  if (v.isFalse()) return false;
  if (v.isString()) return v.as<std::string>();
  if (v.isNumber()) {
    const double x = v.as<double>();
    if (!std::isfinite(x)) refuse(walk, "holds a number that JSON cannot (NaN or Infinity)");
    // 2^53: beyond it a double no longer holds every integer, so keep it a float.
    if (x == std::floor(x) && std::fabs(x) <= 9007199254740992.0) return static_cast<int64_t>(x);
    return x;
  }
  if (v.isArray()) {
    const double length = v["length"].as<double>();
    if (length > static_cast<double>(kMaxValues)) refuse(walk, "holds an array of more than 1048576 values");
    json out = json::array();
    for (int i = 0; i < static_cast<int>(length); ++i) out.push_back(convert(v[i], walk, depth + 1));
    return out;
  }
  static const val Object = val::global("Object");
  const bool plain_object = v.typeOf().as<std::string>() == "object" && [&] {
    const val prototype = Object.call<val>("getPrototypeOf", v);
    return prototype.isNull() || prototype == Object["prototype"];  // {} or Object.create(null)
  }();
  if (plain_object) {
    json out = json::object();
    const val keys = Object.call<val>("keys", v);
    const int count = keys["length"].as<int>();
    for (int i = 0; i < count; ++i) {
      const std::string key = keys[i].as<std::string>();
      const val member = v[key];
      if (!member.isUndefined()) out[key] = convert(member, walk, depth + 1);  // as JSON.stringify drops it
    }
    return out;
  }
  // "Float32Array", "Map", "function", "undefined": what the caller handed over.
  const std::string type = v.typeOf().as<std::string>();
  const val constructor = type == "object" ? v["constructor"] : val::undefined();
  const val name = constructor.isUndefined() || constructor.isNull() ? val::undefined() : constructor["name"];
  const std::string found = name.isString() ? name.as<std::string>() : type;
  refuse(walk, "expected JSON data (objects, arrays, strings, numbers, booleans, null), found " + found);
}

}  // namespace

json json_from_js(const val& value, const std::string& source) {
  Walk walk{source};
  return convert(value, walk, 0);
}

val js_from_json(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return val::null();
    case json::value_t::boolean:
      return val(value.get<bool>());
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return val(value.get<double>());
    case json::value_t::string:
      return val(value.get_ref<const std::string&>());
    case json::value_t::array: {
      val out = val::array();
      for (const json& item : value) out.call<void>("push", js_from_json(item));
      return out;
    }
    case json::value_t::object: {
      val out = val::object();
      for (const auto& [key, item] : value.items()) out.set(key, js_from_json(item));
      return out;
    }
    default:  // binary, discarded: never produced by the core
      return val::undefined();
  }
}

}  // namespace digitrain
