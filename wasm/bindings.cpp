// Embind bindings: the core as the page's worker sees it (docs/wasm-api.md). Only data
// copying and error translation live here: every call that can fail returns
// {ok: false, error} (results.h) instead of throwing into JavaScript. JSON crosses as
// JavaScript values (js_json.h): the page owns JSON text, and TF.js files go through the
// separate formats module (formats_bindings.cpp), fetched only when one is opened or saved.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/number_text.h"
#include "core/thread_pool.h"
#include "data/dataset.h"
#include "data/digit_image.h"
#include "model/model_file.h"
#include "model/presets.h"
#include "results.h"
#include "typed_arrays.h"
#include "training/mixing.h"
#include "training/trainer.h"
#include "training/training_data.h"

namespace digitrain {
namespace {

using emscripten::val;
using nlohmann::json;

json model_info(Sequential& model, const ModelSpec& spec) {
  json layers = json::array();
  for (const auto& layer : model.layers())
    layers.push_back({{"name", layer->name()},
                      {"className", layer->class_name()},
                      {"outputShape", layer->output_shape()},
                      {"params", layer->weight_count()}});
  return {{"summary", model.summary()},  {"paramCount", model.weight_count()}, {"layers", layers},
          {"inputShape", model.input_shape()}, {"name", model.name()},
          {"fit", fit_settings_to_json(spec.fit)}, {"optimizer", model.optimizer()->to_json()},
          {"loss", loss_name(model.loss())}};
}

constexpr int kSide = 28;  // the only image size the page has

// 28x28 images and their labels as a Dataset, checked.
Dataset images_with_labels(const val& pixels, const val& labels, const std::string& source) {
  const std::vector<uint8_t> label_bytes = copy_in<uint8_t>(labels);
  const size_t needed = label_bytes.size() * static_cast<size_t>(kSide * kSide);
  if (!has_at_least(pixels, static_cast<double>(needed)))
    throw Error(source + ": " + std::to_string(label_bytes.size()) + " labels but fewer images");
  IdxImages images;
  images.count = static_cast<int>(label_bytes.size());
  images.rows = images.cols = kSide;
  images.pixels.resize(needed);
  if (needed > 0) copy_in_to(pixels, images.pixels.data(), needed);
  return make_dataset(std::move(images), label_bytes, source);
}

}  // namespace

class Session {
 public:
  val loadData(val train_images, val train_labels, val test_images, val test_labels) {
    return guarded([&] {
      // Parsed and checked completely before the data the session has is replaced.
      Mnist mnist;
      mnist.train = make_dataset(parse_idx_images(copy_in<uint8_t>(train_images), "train-images-idx3-ubyte"),
                                 parse_idx_labels(copy_in<uint8_t>(train_labels), "train-labels-idx1-ubyte"),
                                 "train-labels-idx1-ubyte");
      mnist.test = make_dataset(parse_idx_images(copy_in<uint8_t>(test_images), "t10k-images-idx3-ubyte"),
                                parse_idx_labels(copy_in<uint8_t>(test_labels), "t10k-labels-idx1-ubyte"),
                                "t10k-labels-idx1-ubyte");
      if (mnist.train.features() != mnist.test.features())
        throw Error("the test images are not the size of the training images");
      trainer_.reset();  // it points into the old data
      data_ = std::move(mnist);
      has_data_ = true;
      return ok({{"trainCount", data_.train.count}, {"testCount", data_.test.count}});
    });
  }

  val createModel(const val& description, double seed) {
    return guarded([&] {
      ModelSpec spec = parse_model_spec(json_from_js(description, "model description"), "model description");
      auto model = build_model(spec, static_cast<uint64_t>(seed));
      return replace_model(std::move(spec), std::move(model));
    });
  }

  // A model file as JSON.parse gives it (docs/model-format.md).
  val loadModel(const val& file) {
    return guarded([&] {
      LoadedModel loaded = model_from_json(json_from_js(file, "model file"), "model file");
      return replace_model(std::move(loaded.spec), std::move(loaded.model));
    });
  }

  // {ok, file}: the model file as a value for JSON.stringify.
  val saveModel() {
    return guarded([&] {
      require_model();
      return ok({{"file", model_to_json(*model_, spec_.fit)}});
    });
  }

  // My digits: 28x28 uint8 images and their labels that the next runs mix into the training
  // images (training/mixing.h); none (empty arrays) trains on the dataset alone. {ok, count}
  val setExtraImages(const val& pixels, const val& labels) {
    return guarded([&] {
      Dataset extra = images_with_labels(pixels, labels, "My digits");
      extra_ = std::move(extra);
      return ok({{"count", extra_.count}});
    });
  }

  val startTraining(const val& options_value) {
    return guarded([&] {
      require_model();
      if (!has_data_) throw Error("no data loaded yet");
      const json options = json_from_js(options_value, "training options");
      if (!options.is_object()) throw Error("training options must be an object");
      FitSettings fit = spec_.fit;
      fit.epochs = options.value("epochs", fit.epochs);
      fit.batch_size = options.value("batchSize", fit.batch_size);
      if (fit.epochs < 1 || fit.epochs > 100000) throw Error("epochs must be from 1 to 100000");
      if (fit.batch_size < 1 || fit.batch_size > 4096) throw Error("batch size must be from 1 to 4096");
      // Everything is checked into locals first: a bad option changes nothing.
      std::unique_ptr<Optimizer> optimizer;
      if (options.contains("optimizer")) optimizer = make_optimizer(options.at("optimizer"));
      const double lr = options.value("learningRate", 0.0);
      if (options.contains("learningRate")) check_learning_rate(lr);
      TrainingData plan = plan_training_data(fit, data_.train, data_.test, options.value("limit", 0));
      const uint64_t seed = options.value("seed", 1ULL);
      // The learner's own images (My digits), mixed in by the core (training/mixing.h).
      Dataset mixed;
      int copies = 0;
      if (extra_.count > 0) {
        MixOptions mix;
        mix.seed = seed;
        mixed = mix_extra_samples(plan.train, extra_, mix);
        copies = copies_per_extra_image(plan.train.count, extra_.count, mix);
      }
      trainer_.reset();
      mixed_ = std::move(mixed);
      if (mixed_.count > 0) plan.train = all_of(mixed_);
      if (optimizer) model_->set_optimizer(std::move(optimizer));
      if (options.contains("learningRate")) model_->optimizer()->set_learning_rate(static_cast<float>(lr));
      plan_ = plan;
      // The page stops a diverging run (Keras would go on): a learner sees the lesson, and
      // the best weights of the run come back.
      trainer_ = std::make_unique<Trainer>(*model_, plan_.train, plan_.validation,
                                           FitOptions{fit.batch_size, fit.epochs, true, seed, /*stop_on_divergence=*/true});
      return ok({{"stepsPerEpoch", trainer_->steps_per_epoch()},
                 {"epochs", fit.epochs},
                 {"batchSize", fit.batch_size},
                 {"trainCount", plan_.train.count},
                 {"validationCount", plan_.validation ? plan_.validation->count : 0},
                 {"validation", plan_.validation_description},
                 {"extraCopies", copies}});
    });
  }

  val trainSteps(int steps) {
    return guarded([&] {
      if (!trainer_) throw Error("training has not been started");
      double batch_loss = 0.0, batch_accuracy = 0.0;
      int batches = 0;
      const size_t epochs_before = trainer_->history().epochs.size();
      Callbacks callbacks;
      BatchLogs last{};
      callbacks.on_batch_end = [&](const BatchLogs& logs) {
        batch_loss += logs.batch_loss;
        batch_accuracy += logs.batch_accuracy;
        ++batches;
        last = logs;
        return true;
      };
      const bool running = trainer_->run(steps, callbacks);
      json epochs = json::array();
      const auto& history = trainer_->history();
      for (size_t i = epochs_before; i < history.epochs.size(); ++i) {
        const EpochLogs& e = history.epochs[i];
        json entry = {{"epoch", e.epoch + 1}, {"loss", e.loss}, {"accuracy", e.accuracy}};
        if (e.has_validation) entry.update({{"val_loss", e.val_loss}, {"val_accuracy", e.val_accuracy}});
        epochs.push_back(entry);
      }
      json result = {{"running", running},
                     {"epoch", trainer_->epoch() + (trainer_->step_in_epoch() > 0 || running ? 1 : 0)},
                     {"step", trainer_->step_in_epoch()},
                     {"stepsPerEpoch", trainer_->steps_per_epoch()},
                     {"totalSteps", trainer_->total_steps()},
                     {"batchesRun", batches},
                     {"learningRate", model_->optimizer()->learning_rate()},
                     {"epochs", epochs}};
      if (batches > 0) {
        result["loss"] = last.loss;
        result["accuracy"] = last.accuracy;
        result["batch"] = {{"loss", batch_loss / batches}, {"accuracy", batch_accuracy / batches}};
      }
      if (history.stopped_diverged) {
        result["error"] = history.error;
        result["restoredStep"] = history.restored_step;
      }
      return ok(result);
    });
  }

  val setLearningRate(double lr) {
    return guarded([&] {
      require_model();
      set_learning_rate(lr);
      return ok({{"learningRate", model_->optimizer()->learning_rate()}});
    });
  }

  val stopTraining() {
    if (trainer_) trainer_->stop();
    return ok();
  }

  val evaluateTest() { return evaluateTestRange(0, data_.test.count); }

  // The test images [start, start + count), clipped to the test set: the worker evaluates
  // in chunks so a Stop or a drawing is answered in between. {ok, loss, accuracy, count}.
  val evaluateTestRange(int start, int count) {
    return guarded([&] {
      require_model();
      if (!has_data_) throw Error("no data loaded yet");
      start = std::max(0, std::min(start, data_.test.count));
      count = std::max(0, std::min(count, data_.test.count - start));
      const EvalResult r = model_->evaluate(head(tail_after(all_of(data_.test), start), count), 1000);
      return ok({{"loss", r.loss}, {"accuracy", r.accuracy}, {"count", r.count}});
    });
  }

  // The model a run starts from is put aside (stashModel) before the run builds its own,
  // so a run that diverges can give it back (swapStash: the put-aside model becomes the
  // current one and the other is put aside) or drop it when the run is kept (dropStash).
  val stashModel() {
    return guarded([&] {
      trainer_.reset();  // it refers to the model
      stash_spec_ = spec_;
      stash_ = std::move(model_);
      return ok({{"stashed", stash_ != nullptr}});
    });
  }

  val swapStash() {
    return guarded([&] {
      if (!stash_) throw Error("no model was put aside");
      trainer_.reset();
      std::swap(stash_, model_);
      std::swap(stash_spec_, spec_);
      return ok(model_info(*model_, spec_));
    });
  }

  val dropStash() {
    stash_.reset();
    return ok();
  }

  // Probabilities for `count` images of uint8 pixels; an empty array without a model, with
  // too few pixels, or out of memory.
  val predict(const val& pixels, int count) {
    return or_empty("Float32Array", [&] {
      if (!model_ || count <= 0) return empty_array("Float32Array");
      // 64-bit: on wasm32 a size_t product of an absurd count wraps around.
      const uint64_t needed = static_cast<uint64_t>(model_->input_size()) * static_cast<uint64_t>(count);
      if (!has_at_least(pixels, static_cast<double>(needed))) return empty_array("Float32Array");
      // Left uninitialised: this file is compiled for size, and zero-filling a vector of a
      // 1,000-image batch byte by byte took 7 % of batch predict (V8 profile).
      const std::unique_ptr<uint8_t[]> input(new uint8_t[needed]);
      copy_in_to(pixels, input.get(), needed);
      const size_t outputs = static_cast<size_t>(count) * model_->output_size();
      const std::unique_ptr<float[]> probs(new float[outputs]);
      model_->predict_images(input.get(), count, probs.get());
      return copy_out(probs.get(), outputs);
    });
  }

  // Every layer's output for one image: [{name, className, shape, values: Float32Array}].
  val layerOutputs(const val& pixels) {
    return or_empty("Array", [&] {
      val out = val::array();
      if (!model_ || !has_at_least(pixels, model_->input_size())) return out;
      const std::vector<uint8_t> in = copy_in<uint8_t>(pixels);
      const std::vector<std::vector<float>> outputs = model_->layer_outputs(in.data());
      for (size_t i = 0; i < outputs.size(); ++i) {
        const Layer& layer = *model_->layers()[i];
        val entry = val::object();
        entry.set("name", layer.name());
        entry.set("className", std::string(layer.class_name()));
        val shape = val::array();
        for (int d : layer.output_shape()) shape.call<void>("push", d);
        entry.set("shape", shape);
        entry.set("values", copy_out(outputs[i].data(), outputs[i].size()));
        out.call<void>("push", entry);
      }
      return out;
    });
  }

  // The predicted class of test images [start, start + count), as an Int32Array (empty
  // without a model or data): the confusion matrix and the misclassified gallery.
  val predictTestLabels(int start, int count) {
    return or_empty("Int32Array", [&] {
      if (!model_ || !has_data_ || start < 0 || count <= 0 || start >= data_.test.count)
        return empty_array("Int32Array");
      count = std::min(count, data_.test.count - start);
      const int classes = model_->output_size();
      std::vector<float> probs(static_cast<size_t>(count) * classes);
      model_->predict_images(data_.test.image(start), count, probs.data());
      std::vector<int32_t> labels(count);
      for (int i = 0; i < count; ++i) {
        const float* row = probs.data() + static_cast<size_t>(i) * classes;
        labels[i] = static_cast<int32_t>(std::max_element(row, row + classes) - row);
      }
      return copy_out(labels.data(), labels.size());
    });
  }

  val testImage(int index) {
    if (!has_data_ || index < 0 || index >= data_.test.count) return empty_array("Uint8Array");
    return copy_out(data_.test.image(index), static_cast<size_t>(data_.test.features()));
  }

  int testLabel(int index) {
    return has_data_ && index >= 0 && index < data_.test.count ? data_.test.labels[index] : -1;
  }

  // A view, not a copy: read it before anything allocates in the module.
  val weights(int index) {
    if (!model_ || index < 0 || index >= static_cast<int>(model_->weights().size())) return val::null();
    const Param& p = model_->weights()[index];
    return val(emscripten::typed_memory_view(static_cast<size_t>(p.size), p.value));
  }

  val paramInfo() {
    json out = json::array();
    if (model_)
      for (const Param& p : model_->weights()) out.push_back({{"name", p.name}, {"shape", p.shape}, {"size", p.size}});
    return js_from_json(out);
  }

 private:
  void require_model() const {
    if (!model_) throw Error("no model yet: create or load one first");
  }

  static void check_learning_rate(double lr) {
    if (!(lr > 0.0 && lr <= 1e6)) throw Error("learning rate must be a positive number, got " + number_text(lr));
  }

  void set_learning_rate(double lr) {
    check_learning_rate(lr);
    model_->optimizer()->set_learning_rate(static_cast<float>(lr));
  }

  val replace_model(ModelSpec spec, std::unique_ptr<Sequential> model) {
    trainer_.reset();  // it refers to the old model
    spec_ = std::move(spec);
    model_ = std::move(model);
    return ok(model_info(*model_, spec_));
  }

  Mnist data_;
  Dataset extra_;  // My digits, for the next runs
  Dataset mixed_;  // the training images with them mixed in, while a run uses them
  bool has_data_ = false;
  ModelSpec spec_, stash_spec_;
  std::unique_ptr<Sequential> model_, stash_;
  TrainingData plan_;
  std::unique_ptr<Trainer> trainer_;
};

namespace {

val preset_names_js() { return js_from_json(preset_names()); }

// The threaded module starts at most 3 pool workers with itself (CMakeLists.txt,
// PTHREAD_POOL_SIZE): the kernel pool takes at most 4 threads. The default module has no
// threads and keeps 1 whatever is asked. Returns the count in effect.
constexpr int kMaxThreads = 4;
int set_threads(int threads) {
  set_thread_count(std::clamp(threads, 1, kMaxThreads));
  return thread_count();
}

// {threads, sharedJobs}: products the pool split so far with a worker taking part (the
// browser test's proof that the pool is used).
val thread_stats() {
  val stats = val::object();
  stats.set("threads", thread_count());
  ThreadPool* pool = kernel_pool();
  stats.set("sharedJobs", pool ? static_cast<double>(pool->jobs_shared()) : 0.0);
  return stats;
}

// {ok, text}: the description's JSON text, for the page to parse.
val preset_text(const std::string& name) {
  return guarded([&] { return ok({{"text", preset_json(name)}}); });
}

// A model description checked layer by layer, nothing built (the page's model editor):
// {ok: true, name, layers: [{name, className, outputShape, params}], paramCount,
//  error?, errorLayer?}. A description that does not fit is an answer, not a failure.
val plan_model_js(const val& description) {
  return guarded([&] {
    const ModelPlan plan = plan_model(json_from_js(description, "model description"), "model description");
    // Built as JS values directly: nlohmann::json's initializer lists cost the module more.
    val layers = val::array();
    for (const LayerPlan& l : plan.layers) {
      val shape = val::array();
      for (int d : l.output_shape) shape.call<void>("push", d);
      val row = val::object();
      row.set("name", l.name);
      row.set("className", l.class_name);
      row.set("outputShape", shape);
      row.set("params", static_cast<double>(l.params));
      layers.call<void>("push", row);
    }
    val result = val::object();
    result.set("ok", true);
    result.set("name", plan.name);
    result.set("layers", layers);
    result.set("paramCount", static_cast<double>(plan.param_count));
    if (!plan.error.empty()) {
      result.set("error", plan.error);
      result.set("errorLayer", plan.error_layer);
    }
    return result;
  });
}

// A pair of IDX files (images, labels) checked by the core's reader, as the terminal
// trainer's --extra-data reads them: {ok, count, rows, cols, pixels, labels}.
val read_idx_pair(const val& images_file, const val& labels_file, const std::string& images_name,
                  const std::string& labels_name) {
  return guarded([&] {
    const std::vector<uint8_t> image_bytes = copy_in<uint8_t>(images_file);
    const std::vector<uint8_t> label_bytes = copy_in<uint8_t>(labels_file);
    const Dataset d = make_dataset(parse_idx_images(image_bytes.data(), image_bytes.size(), images_name),
                                   parse_idx_labels(label_bytes.data(), label_bytes.size(), labels_name), labels_name);
    val result = ok({{"count", d.count}, {"rows", d.rows}, {"cols", d.cols}});
    result.set("pixels", copy_out(d.pixels.data(), d.pixels.size()));
    result.set("labels", copy_out(d.labels.data(), d.labels.size()));
    return result;
  });
}

val preprocess_digit(const val& ink, int width, int height) {
  return or_empty("Uint8Array", [&] {
    if (width <= 0 || height <= 0 || width > 8192 || height > 8192 ||
        !has_at_least(ink, static_cast<double>(width) * height))
      return empty_array("Uint8Array");
    const std::vector<float> values = copy_in<float>(ink);
    const MnistImage image = to_mnist_layout(values.data(), width, height);
    return copy_out(image.data(), image.size());
  });
}

}  // namespace
}  // namespace digitrain

EMSCRIPTEN_BINDINGS(digitrain) {
  using digitrain::Session;
  emscripten::function("presetNames", &digitrain::preset_names_js);
  emscripten::function("setThreads", &digitrain::set_threads);
  emscripten::function("threadStats", &digitrain::thread_stats);
  emscripten::function("presetText", &digitrain::preset_text);
  emscripten::function("preprocessDigit", &digitrain::preprocess_digit);
  emscripten::function("readIdxPair", &digitrain::read_idx_pair);
  emscripten::function("planModel", &digitrain::plan_model_js);
  emscripten::class_<Session>("Session")
      .constructor<>()
      .function("loadData", &Session::loadData)
      .function("createModel", &Session::createModel)
      .function("loadModel", &Session::loadModel)
      .function("saveModel", &Session::saveModel)
      .function("setExtraImages", &Session::setExtraImages)
      .function("startTraining", &Session::startTraining)
      .function("trainSteps", &Session::trainSteps)
      .function("setLearningRate", &Session::setLearningRate)
      .function("stopTraining", &Session::stopTraining)
      .function("evaluateTest", &Session::evaluateTest)
      .function("evaluateTestRange", &Session::evaluateTestRange)
      .function("stashModel", &Session::stashModel)
      .function("swapStash", &Session::swapStash)
      .function("dropStash", &Session::dropStash)
      .function("predict", &Session::predict)
      .function("layerOutputs", &Session::layerOutputs)
      .function("predictTestLabels", &Session::predictTestLabels)
      .function("testImage", &Session::testImage)
      .function("testLabel", &Session::testLabel)
      .function("weights", &Session::weights)
      .function("paramInfo", &Session::paramInfo);
}
