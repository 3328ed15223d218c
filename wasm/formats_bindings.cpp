// The formats module: TF.js Layers files <-> Digitrain model files, for the page. Kept out
// of the training module (bindings.cpp) because most visits never open or save a TF.js
// model: the worker fetches this module the first time one is. It reuses the core's
// readers and writers, so the page and the terminal trainer accept the same files.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <nlohmann/json.hpp>

#include "model/tfjs_format.h"
#include "results.h"
#include "typed_arrays.h"

namespace digitrain {
namespace {

using emscripten::val;

// {ok, file}: a TF.js model.json and the weights files it names, given as `files`, an
// object mapping file names to Uint8Arrays (the files the user picked or dropped together).
val tfjs_to_model_file(const std::string& model_json, const val& files) {
  return guarded([&] {
    const LoadedModel loaded = model_from_tfjs(
        model_json,
        [&](const std::string& path) {
          const std::string name = path.substr(path.rfind('/') + 1);  // "./group1-shard1of1.bin"
          const val bytes = files[name];
          if (bytes.isUndefined() || bytes.isNull())
            throw Error("model.json needs the weights file '" + name + "': pick or drop it together with model.json");
          return copy_in<uint8_t>(bytes);
        },
        "model.json");
    return ok({{"file", model_to_json(*loaded.model, loaded.spec.fit)}});
  });
}

// {ok, modelJson, weightsPath, weights: Uint8Array}: a model file (as JSON.parse gives it)
// in the TF.js Layers format.
val model_file_to_tfjs(const val& file) {
  return guarded([&] {
    const LoadedModel loaded = model_from_json(json_from_js(file, "model file"), "model file");
    const TfjsFiles files = model_to_tfjs(*loaded.model, loaded.spec.fit);
    val result = ok({{"modelJson", files.model_json}, {"weightsPath", files.weights_path}});
    result.set("weights", copy_out(files.weights.data(), files.weights.size()));
    return result;
  });
}

}  // namespace
}  // namespace digitrain

EMSCRIPTEN_BINDINGS(digitrain_formats) {
  emscripten::function("tfjsToModelFile", &digitrain::tfjs_to_model_file);
  emscripten::function("modelFileToTfjs", &digitrain::model_file_to_tfjs);
}
