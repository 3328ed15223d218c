#pragma once
// A JSON value quoted in a message: compact JSON ("[784,255]", "\"adam\""), floats to
// 10 significant digits ("128.0" for a whole one, as json::dump writes it), cut after about
// 80 characters ("...") so a message never swallows a whole weights array. Not json::dump:
// its serializer, with the printf it escapes through, is about 8 KB of the page's
// WebAssembly module, there only for messages.
#include <nlohmann/json.hpp>
#include <string>

namespace digitrain {

std::string json_text(const nlohmann::json& value);

}  // namespace digitrain
