#include "core/json_limits.h"

#include "core/error.h"

namespace digitrain {

namespace {

using nlohmann::json;
using DomParser = nlohmann::detail::json_sax_dom_parser<json>;

// nlohmann's own DOM builder, with a depth count in front. sax_parse takes the SAX type as
// a template argument, so these hide (not override) the base's members.
class DepthLimitedParser : public DomParser {
 public:
  DepthLimitedParser(json& result, const std::string& source) : DomParser(result, /*allow_exceptions=*/true), source_(source) {}

  bool start_object(std::size_t size) { return descend() && DomParser::start_object(size); }
  bool start_array(std::size_t size) { return descend() && DomParser::start_array(size); }
  bool end_object() { --depth_; return DomParser::end_object(); }
  bool end_array() { --depth_; return DomParser::end_array(); }

 private:
  bool descend() {
    if (++depth_ > kMaxJsonDepth)
      throw Error(source_ + ": JSON nested more than " + std::to_string(kMaxJsonDepth) +
                  " levels deep (this build's limit; a model file nests 6)");
    return true;
  }

  const std::string& source_;
  int depth_ = 0;
};

}  // namespace

json parse_json(const std::string& text, const std::string& source, bool allow_exceptions, const std::string& hint) {
  json result;
  DepthLimitedParser parser(result, source);
  try {
    // The parser reports syntax errors as parse_error and numbers beyond double (1e389) as
    // out_of_range; both mean "not JSON we can read".
    json::sax_parse(text, &parser);
  } catch (const json::parse_error& e) {
    if (!allow_exceptions) return json(json::value_t::discarded);
    throw Error(source + ": not valid JSON at byte " + std::to_string(e.byte) + (hint.empty() ? "" : " (" + hint + ")"));
  } catch (const json::exception& e) {
    if (!allow_exceptions) return json(json::value_t::discarded);
    std::string what = e.what();
    const size_t bracket = what.find("] ");  // "[json.exception.out_of_range.406] number overflow..."
    throw Error(source + ": not valid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
  return result;
}

}  // namespace digitrain
