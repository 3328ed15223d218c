#pragma once
// Keras serialises initializers, optimizers and layers either as a bare name ("adam") or
// as {"class_name": "Adam", "config": {...}}; this reads both forms.
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"

namespace digitrain {

struct KerasObject {
  std::string class_name;
  nlohmann::json config = nlohmann::json::object();
};

// `what` names the object in the error, e.g. "layer 'dense': initializer".
inline KerasObject parse_keras_object(const nlohmann::json& j, const std::string& what) {
  KerasObject object;
  if (j.is_string()) {
    object.class_name = j.get<std::string>();
  } else if (j.is_object() && j.contains("class_name") && j["class_name"].is_string()) {
    object.class_name = j["class_name"].get<std::string>();
    if (j.contains("config") && j["config"].is_object()) object.config = j["config"];
  } else {
    throw Error(what + ": expected a name or {\"class_name\": ..., \"config\": {...}}");
  }
  return object;
}

}  // namespace digitrain
