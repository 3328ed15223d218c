#include "cli/model_files.h"

#include "data/idx.h"
#include "model/tfjs_format.h"

namespace digitrain {

// By content, not by name: both are usually called model.json.
LoadedModel load_any_model_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path, kMaxModelFileBytes);
  const std::string text(bytes.begin(), bytes.end());
  if (is_tfjs_model_json(text)) return load_tfjs_text(text, path);
  return model_from_json_text(text, path);
}

}  // namespace digitrain
