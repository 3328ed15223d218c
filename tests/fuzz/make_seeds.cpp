// Writes the fuzzers' seed corpora: small valid inputs of every format, made by the same
// code the CLI saves with (docs/fuzzing.md). Usage: make_seeds OUT_DIR [MNIST_DIR]
#include <png.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <jpeglib.h>
#include <string>
#include <vector>

#include "core/base64.h"
#include "data/idx.h"
#include "model/model_file.h"
#include "model/presets.h"
#include "model/tfjs_format.h"

namespace {

using namespace digitrain;
std::string out_dir;

void write(const std::string& harness, const std::string& name, const std::string& bytes) {
  std::filesystem::create_directories(out_dir + "/" + harness);
  std::ofstream(out_dir + "/" + harness + "/" + name, std::ios::binary) << bytes;
}
std::string str(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

// Small models of each layer kind, so the seeds stay a few KB.
const char* const kTinyModels[] = {
    R"({"format": "digitrain-model", "version": 1, "name": "tiny-mlp", "input_shape": [4, 4],
        "layers": [{"class_name": "Flatten"}, {"class_name": "Dense", "config": {"units": 5, "activation": "relu"}},
                   {"class_name": "Dense", "config": {"units": 3, "activation": "softmax"}}],
        "compile": {"optimizer": "adam", "loss": "sparse_categorical_crossentropy"},
        "fit": {"batch_size": 8, "epochs": 1, "validation": {"mode": "split", "fraction": 0.1}}})",
    R"({"format": "digitrain-model", "version": 1, "name": "tiny-cnn", "input_shape": [6, 6, 1],
        "layers": [{"class_name": "Conv2D", "config": {"filters": 2, "kernel_size": [3, 3], "activation": "relu",
                                                          "kernel_initializer": "random_uniform"}},
                   {"class_name": "Flatten"},
                   {"class_name": "Dense", "config": {"units": 2, "activation": "softmax", "use_bias": false}}],
        "compile": {"optimizer": {"class_name": "SGD", "config": {"learning_rate": 0.01, "momentum": 0.9}}},
        "fit": {"validation": {"mode": "head", "count": 100}, "pixel_scale": 1}})",
};

std::string png(int w, int h, const std::vector<uint8_t>& grey, bool alpha) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = w;
  image.height = h;
  image.format = alpha ? PNG_FORMAT_GA : PNG_FORMAT_GRAY;
  std::vector<uint8_t> pixels;
  for (uint8_t v : grey) {
    pixels.push_back(alpha ? 0 : v);
    if (alpha) pixels.push_back(v);
  }
  png_alloc_size_t size = 0;
  png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr);
  std::string out(size, '\0');
  png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr);
  return out;
}

std::string jpeg(int w, int h, const std::vector<uint8_t>& grey, bool progressive, bool colour) {
  jpeg_compress_struct info{};
  jpeg_error_mgr errors{};
  info.err = jpeg_std_error(&errors);
  jpeg_create_compress(&info);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = w;
  info.image_height = h;
  info.input_components = colour ? 3 : 1;
  info.in_color_space = colour ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 75, TRUE);
  if (progressive) jpeg_simple_progression(&info);
  jpeg_start_compress(&info, TRUE);
  std::vector<uint8_t> row(static_cast<size_t>(w) * (colour ? 3 : 1));
  while (info.next_scanline < info.image_height) {
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < (colour ? 3 : 1); ++c) row[x * (colour ? 3 : 1) + c] = grey[info.next_scanline * w + x];
    JSAMPROW p = row.data();
    jpeg_write_scanlines(&info, &p, 1);
  }
  jpeg_finish_compress(&info);
  std::string out(reinterpret_cast<char*>(buffer), size);
  jpeg_destroy_compress(&info);
  std::free(buffer);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: make_seeds OUT_DIR [MNIST_DIR]\n");
    return 2;
  }
  out_dir = argv[1];
  try {
    // IDX: three MNIST test images and labels when MNIST is there, else a made-up digit.
    std::vector<uint8_t> digits(3 * 28 * 28, 0), labels = {7, 2, 1};
    if (argc > 2) {
      const IdxImages images = read_idx_images(std::string(argv[2]) + "/t10k-images-idx3-ubyte");
      digits.assign(images.pixels.begin(), images.pixels.begin() + 3 * 28 * 28);
    } else {
      for (int y = 6; y < 22; ++y) digits[y * 28 + 14] = 255;
    }
    std::string header = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28};
    write("idx_images", "three-digits", header + str(digits));
    write("idx_images", "one-2x2", std::string({0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4}));
    write("idx_labels", "three", std::string({0, 0, 8, 1, 0, 0, 0, 3}) + str(labels));

    // Models: the tiny ones as files, descriptions and TF.js files; the presets as descriptions.
    int index = 0;
    for (const char* text : kTinyModels) {
      const std::string name = "tiny" + std::to_string(index++);
      const ModelSpec spec = parse_model_spec_text(text, name);
      auto model = build_model(spec, /*seed=*/1);
      write("model_description", name + ".json", text);
      write("model_file", name + ".json", model_to_json_text(*model, spec.fit));
      const TfjsFiles tfjs = model_to_tfjs(*model, spec.fit);
      write("tfjs", name, tfjs.model_json + "\n--shard--\n" + str(tfjs.weights));
    }
    for (const std::string& name : preset_names()) write("model_description", name + ".json", preset_json(name));

    const std::vector<uint8_t> some = {0, 1, 2, 250, 251, 252, 253, 254, 255, 65};
    for (size_t n = 0; n <= 4; ++n) write("base64", "bytes" + std::to_string(n), base64_encode(some.data(), n * 2));

    // Pictures of the first digit at 14x14 (half size), in every format read.
    std::vector<uint8_t> small(14 * 14);
    for (int y = 0; y < 14; ++y)
      for (int x = 0; x < 14; ++x) small[y * 14 + x] = static_cast<uint8_t>(255 - digits[(2 * y) * 28 + 2 * x]);
    write("picture", "digit.png", png(14, 14, small, false));
    write("picture", "digit-alpha.png", png(14, 14, small, true));
    write("picture", "digit.jpg", jpeg(14, 14, small, false, false));
    write("picture", "digit-progressive.jpg", jpeg(14, 14, small, true, false));
    write("picture", "digit-colour.jpg", jpeg(14, 14, small, false, true));
    write("picture", "digit.pgm", "P5\n# a comment\n14 14\n255\n" + str(small));
    std::string rgb;
    for (uint8_t v : small) rgb += std::string(3, static_cast<char>(v));
    write("picture", "digit.ppm", "P6 14 14 255\n" + rgb);

    std::string pad = {27, 27};  // 28x28: the width and height bytes, then the ink
    write("digit_image", "first-digit", pad + str(std::vector<uint8_t>(digits.begin(), digits.begin() + 784)));
    write("digit_image", "line", std::string({3, 0, 0, 127, static_cast<char>(255), 0}));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
